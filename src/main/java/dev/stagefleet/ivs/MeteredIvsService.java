package dev.stagefleet.ivs;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An {@link IvsService} that times every call once, after the wrapped service's retries, tagged with the operation and
 * its {@link IvsOutcome}. {@link SdkIvsService} times each attempt in the same vocabulary.
 */
public final class MeteredIvsService implements IvsService {
  /** The metric name (kept from when the operator owned it, for dashboards): tags {@code operation}, {@code outcome}. */
  public static final String CALL_METRIC = "stagefleet.operator.ivs.calls";

  private final IvsService ivs;
  private final MeterRegistry meters;

  public MeteredIvsService(IvsService ivs, MeterRegistry meters) {
    this.ivs = Objects.requireNonNull(ivs, "ivs");
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  private <T> T timed(String operation, Supplier<T> call) {
    long start = System.nanoTime();
    IvsOutcome outcome = IvsOutcome.SUCCESS;
    try {
      return call.get();
    } catch (RuntimeException e) {
      outcome = IvsOutcome.of(e);
      throw e;
    } finally {
      Timer.builder(CALL_METRIC).description("IVS calls (after retries) by operation and outcome")
          .tag("operation", operation).tag("outcome", outcome.tag())
          .register(meters).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private void timed(String operation, Runnable call) {
    timed(operation, () -> {
      call.run();
      return null;
    });
  }

  @Override
  public Stage createStage(String name, Map<String, String> tags) {
    return timed("CreateStage", () -> ivs.createStage(name, tags));
  }

  @Override
  public void deleteStage(String arn) {
    timed("DeleteStage", () -> ivs.deleteStage(arn));
  }

  @Override
  public void tagResource(String arn, Map<String, String> tags) {
    timed("TagResource", () -> ivs.tagResource(arn, tags));
  }

  @Override
  public List<Stage> listStages() {
    return timed("ListStages", ivs::listStages);
  }

  @Override
  public Optional<Stage> getStage(String arn) {
    return timed("GetStage", () -> ivs.getStage(arn));
  }

  @Override
  public ParticipantCount countConnectedParticipants(String stageArn, String sessionId) {
    return timed("ListParticipants", () -> ivs.countConnectedParticipants(stageArn, sessionId));
  }

  @Override
  public ParticipantToken createParticipantToken(String stageArn, Set<Capability> capabilities, Duration duration,
      String userId, Map<String, String> attributes) {
    return timed("CreateParticipantToken",
        () -> ivs.createParticipantToken(stageArn, capabilities, duration, userId, attributes));
  }

  @Override
  public void disconnectParticipant(String stageArn, String participantId, String reason) {
    timed("DisconnectParticipant", () -> ivs.disconnectParticipant(stageArn, participantId, reason));
  }

  @Override
  public PublicKey importPublicKey(String publicKeyPem, String name, Map<String, String> tags) {
    return timed("ImportPublicKey", () -> ivs.importPublicKey(publicKeyPem, name, tags));
  }

  @Override
  public Optional<PublicKey> getPublicKey(String arn) {
    return timed("GetPublicKey", () -> ivs.getPublicKey(arn));
  }

  @Override
  public void deletePublicKey(String arn) {
    timed("DeletePublicKey", () -> ivs.deletePublicKey(arn));
  }

  @Override
  public Optional<String> publishingParticipant(String stageArn, String sessionId, String userId) {
    return timed("ListParticipants", () -> ivs.publishingParticipant(stageArn, sessionId, userId));
  }

  @Override
  public void startReplication(String sourceStageArn, String destinationStageArn, String participantId,
      int reconnectWindowSeconds) {
    timed("StartParticipantReplication",
        () -> ivs.startReplication(sourceStageArn, destinationStageArn, participantId, reconnectWindowSeconds));
  }

  @Override
  public void stopReplication(String sourceStageArn, String destinationStageArn, String participantId) {
    timed("StopParticipantReplication", () -> ivs.stopReplication(sourceStageArn, destinationStageArn, participantId));
  }

  @Override
  public List<Replica> listReplicas(String sourceStageArn, String participantId) {
    return timed("ListParticipantReplicas", () -> ivs.listReplicas(sourceStageArn, participantId));
  }
}
