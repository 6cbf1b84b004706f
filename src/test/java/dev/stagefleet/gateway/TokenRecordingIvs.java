package dev.stagefleet.gateway;

import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An IvsService for the gateway's tests: mints opaque tokens for known stages and counts the calls. */
final class TokenRecordingIvs implements IvsService {
  final Set<String> stages = ConcurrentHashMap.newKeySet();
  final Map<String, String> tokens = new ConcurrentHashMap<>();
  final AtomicInteger createParticipantTokenCalls = new AtomicInteger();
  final AtomicInteger otherCalls = new AtomicInteger();
  final Map<String, PublicKey> publicKeys = new ConcurrentHashMap<>();
  /** When set, CreateParticipantToken fails with it (as after the client's retries gave up). */
  volatile IvsException failure;
  private final Clock clock;

  TokenRecordingIvs(Clock clock) {
    this.clock = clock;
  }

  @Override
  public ParticipantToken createParticipantToken(String stageArn, Set<Capability> capabilities, Duration duration,
      String userId, Map<String, String> attributes) {
    createParticipantTokenCalls.incrementAndGet();
    if (failure != null) {
      throw failure;
    }
    if (!stages.contains(stageArn)) {
      throw new IvsException.NotFound("Stage not found: " + stageArn, null);
    }
    String participantId = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String token = "ivs-api-token." + participantId;
    tokens.put(token, stageArn + " " + capabilities);
    return new ParticipantToken(participantId, token, userId, clock.instant().plus(duration), capabilities);
  }

  @Override
  public PublicKey importPublicKey(String publicKeyPem, String name, Map<String, String> tags) {
    otherCalls.incrementAndGet();
    String arn = "arn:aws:ivs:us-east-1:123456789012:public-key/" + UUID.randomUUID().toString().substring(0, 12);
    PublicKey key = new PublicKey(arn, name, publicKeyPem, "fingerprint");
    publicKeys.put(arn, key);
    return key;
  }

  @Override
  public Stage createStage(String name, Map<String, String> tags) {
    throw unexpected();
  }

  @Override
  public void deleteStage(String arn) {
    throw unexpected();
  }

  @Override
  public void tagResource(String arn, Map<String, String> tags) {
    throw unexpected();
  }

  @Override
  public List<Stage> listStages() {
    throw unexpected();
  }

  @Override
  public Optional<Stage> getStage(String arn) {
    throw unexpected();
  }

  @Override
  public ParticipantCount countConnectedParticipants(String stageArn, String sessionId) {
    throw unexpected();
  }

  @Override
  public void disconnectParticipant(String stageArn, String participantId, String reason) {
    throw unexpected();
  }

  @Override
  public Optional<PublicKey> getPublicKey(String arn) {
    return Optional.ofNullable(publicKeys.get(arn));
  }

  @Override
  public void deletePublicKey(String arn) {
    publicKeys.remove(arn);
  }

  @Override
  public java.util.Optional<String> publishingParticipant(String stageArn, String sessionId, String userId) {
    throw unexpected();
  }

  @Override
  public void startReplication(String sourceStageArn, String destinationStageArn, String participantId,
      int reconnectWindowSeconds) {
    throw unexpected();
  }

  @Override
  public void stopReplication(String sourceStageArn, String destinationStageArn, String participantId) {
    throw unexpected();
  }

  @Override
  public List<Replica> listReplicas(String sourceStageArn, String participantId) {
    throw unexpected();
  }

  private AssertionError unexpected() {
    otherCalls.incrementAndGet();
    return new AssertionError("the gateway must not call this IVS operation");
  }
}
