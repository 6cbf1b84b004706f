package dev.stagefleet.operator;

import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** An {@link IvsService} that counts and times every request in {@link OperatorMetrics}, by operation and outcome. */
public final class MeteredIvsService implements IvsService {
  private final IvsService ivs;
  private final OperatorMetrics metrics;

  public MeteredIvsService(IvsService ivs, OperatorMetrics metrics) {
    this.ivs = ivs;
    this.metrics = metrics;
  }

  /** The fixed set of outcomes: success or the kind of failure. */
  static String outcome(RuntimeException e) {
    if (e instanceof IvsException.NotFound) {
      return "not_found";
    } else if (e instanceof IvsException.QuotaExceeded) {
      return "quota_exceeded";
    } else if (e instanceof IvsException.Unavailable) {
      return "unavailable";
    } else if (e instanceof IvsException.Validation) {
      return "invalid";
    } else if (e instanceof IvsException.AccessDenied) {
      return "access_denied";
    } else if (e instanceof IvsException.Conflict) {
      return "conflict";
    }
    return "error";
  }

  private <T> T timed(String operation, Supplier<T> call) {
    long start = System.nanoTime();
    String outcome = "success";
    try {
      return call.get();
    } catch (RuntimeException e) {
      outcome = outcome(e);
      throw e;
    } finally {
      metrics.ivsRequest(operation, outcome, Duration.ofNanos(System.nanoTime() - start));
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
  public ParticipantCount countConnectedParticipants(String stageArn) {
    return timed("ListParticipants", () -> ivs.countConnectedParticipants(stageArn));
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
