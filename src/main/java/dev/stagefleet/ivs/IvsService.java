package dev.stagefleet.ivs;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything StageFleet needs from Amazon IVS real-time, and nothing more: the one door to AWS.
 * Implementations rate-limit per operation and retry throttling and 5xx; other failures surface as
 * {@link IvsException} subtypes carrying IVS's message.
 */
public interface IvsService {

  /** Creates a stage with the given name and tags; returns its ARN, endpoints and tags. */
  Stage createStage(String name, Map<String, String> tags);

  /** Deletes a stage; a stage that no longer exists counts as deleted. */
  void deleteStage(String arn);

  /**
   * Adds tags to a resource, overwriting those with the same keys (TagResource). The operator retags the stages it
   * keeps when a broadcast is deleted with the {@code retain} policy, so they are no longer treated as its own.
   */
  void tagResource(String arn, Map<String, String> tags);

  /** Every stage in the region with its tags, across all pages. */
  List<Stage> listStages();

  /** One stage (with endpoints and active session), or empty when IVS does not know it. */
  Optional<Stage> getStage(String arn);

  /**
   * Connected participants of one session of the stage (ListParticipants, every page); zero, without a call, when
   * {@code sessionId} is null or empty (no session is active), and zero when the stage or session is gone. The
   * active session comes from ListStages (the inventory), so counting spends nothing of the stage calls' quota.
   */
  ParticipantCount countConnectedParticipants(String stageArn, String sessionId);

  /** Mints a participant token through the CreateParticipantToken API. */
  ParticipantToken createParticipantToken(String stageArn, Set<Capability> capabilities, Duration duration,
      String userId, Map<String, String> attributes);

  /** Disconnects a participant from a stage; its token cannot be used again. */
  void disconnectParticipant(String stageArn, String participantId, String reason);

  /** Imports a public key (SPKI PEM) for self-signed participant tokens. */
  PublicKey importPublicKey(String publicKeyPem, String name, Map<String, String> tags);

  /** A public key by ARN, or empty when IVS does not know it. */
  Optional<PublicKey> getPublicKey(String arn);

  /** Deletes a public key; one that no longer exists counts as deleted. */
  void deletePublicKey(String arn);

  /**
   * The participant id of {@code userId}'s newest connected participant in the stage's session that publishes itself
   * (a replica does not count), or empty when none does.
   */
  Optional<String> publishingParticipant(String stageArn, String sessionId, String userId);

  /** Replicates a publishing participant from one stage into another. */
  void startReplication(String sourceStageArn, String destinationStageArn, String participantId,
      int reconnectWindowSeconds);

  /** Stops a replication started with {@link #startReplication}. */
  void stopReplication(String sourceStageArn, String destinationStageArn, String participantId);

  /** Every replica of a participant of the source stage, across all pages. */
  List<Replica> listReplicas(String sourceStageArn, String participantId);

  /** Participant capabilities. */
  enum Capability { PUBLISH, SUBSCRIBE }

  /** A stage as IVS describes it; {@code endpoints} and {@code activeSessionId} may be null (ListStages omits endpoints). */
  record Stage(String arn, String name, Map<String, String> tags, Endpoints endpoints, String activeSessionId) {
    /** The stage id: the last segment of its ARN. */
    public String id() {
      return arn.substring(arn.lastIndexOf('/') + 1);
    }
  }

  /** A stage's endpoints. */
  record Endpoints(String events, String whip) {
  }

  /** Connected participants of a stage, told apart: viewers only subscribe, publishers publish, replicas are copies. */
  record ParticipantCount(int subscribers, int publishers, int replicas) {
    public static final ParticipantCount NONE = new ParticipantCount(0, 0, 0);
  }

  /** A minted participant token. */
  record ParticipantToken(String participantId, String token, String userId, java.time.Instant expirationTime,
      Set<Capability> capabilities) {
    @Override
    public String toString() {
      return "ParticipantToken[" + participantId + ", token=<redacted>]";
    }
  }

  /** An imported public key. */
  record PublicKey(String arn, String name, String publicKeyMaterial, String fingerprint) {
  }

  /** One replica of a participant. */
  record Replica(String sourceStageArn, String destinationStageArn, String participantId, String state) {
  }
}
