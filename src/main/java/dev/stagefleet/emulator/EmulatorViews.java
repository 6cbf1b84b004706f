package dev.stagefleet.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The immutable snapshots {@link EmulatedRegion} hands to the wire layer, one record per IVS shape. */
final class EmulatorViews {
  private EmulatorViews() {
  }

  /** ParticipantState: whether a participant is on its stage now. */
  enum ParticipantState { CONNECTED, DISCONNECTED }

  /** ReplicationType: a participant's part in replication (the source, a copy in another stage, or neither). */
  enum ReplicationType { SOURCE, REPLICA, NONE }

  /** ReplicationState: whether a replication, or a participant's part in one, is running. */
  enum ReplicationState { ACTIVE, STOPPED }

  /** EventName: the participant events the emulator records (IVS declares more, which it never emits). */
  enum EventName { JOINED, LEFT, PUBLISH_STARTED, PUBLISH_STOPPED, REPLICATION_STARTED, REPLICATION_STOPPED }

  record Endpoints(String events, String whip, String rtmp, String rtmps) {
  }

  record StageView(String arn, String name, String activeSessionId, Map<String, String> tags, Endpoints endpoints,
      JsonNode recordingConfiguration) {
  }

  record TokenRequest(Integer duration, String userId, Map<String, String> attributes, List<String> capabilities) {
  }

  record TokenView(String participantId, String token, String userId, Map<String, String> attributes, int duration,
      List<String> capabilities, Instant expirationTime) {
  }

  record StageCreated(StageView stage, List<TokenView> participantTokens) {
  }

  record SessionView(String sessionId, Instant startTime, Instant endTime) {
  }

  record ParticipantView(String participantId, String userId, ParticipantState state, Instant firstJoinTime,
      Map<String, String> attributes, boolean published, ReplicationType replicationType,
      ReplicationState replicationState,
      String sourceStageArn, String sourceSessionId) {
  }

  record EventView(EventName name, String participantId, Instant eventTime, String destinationStageArn,
      String destinationSessionId, Boolean replica) {
  }

  record KeyView(String arn, String name, String publicKeyMaterial, String fingerprint, Map<String, String> tags) {
  }

  record ReplicaView(String sourceStageArn, String participantId, String sourceSessionId, String destinationStageArn,
      String destinationSessionId, ReplicationState replicationState) {
  }

  /** One page of a list: the items, and the sequence number to continue after when there are more. */
  record Page<T>(List<T> items, Long continueAfter) {
  }

  /** At most one filter of ListParticipants. */
  record ParticipantFilter(ParticipantState state, Boolean published, String userId, String recordingState) {
    boolean matches(ParticipantView p) {
      return (state == null || state == p.state())
          && (published == null || published == p.published())
          && (userId == null || userId.equals(p.userId()))
          // nobody is recorded here: every participant's recordingState is DISABLED, which no filter value names
          && recordingState == null;
    }
  }
}
