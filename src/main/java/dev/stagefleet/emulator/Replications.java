package dev.stagefleet.emulator;

import dev.stagefleet.emulator.EmulatedRegion.ParticipantRecord;
import dev.stagefleet.emulator.EmulatedRegion.SessionRecord;
import dev.stagefleet.emulator.EmulatedRegion.StageRecord;
import dev.stagefleet.emulator.EmulatorViews.EventName;
import dev.stagefleet.emulator.EmulatorViews.Page;
import dev.stagefleet.emulator.EmulatorViews.ReplicaView;
import dev.stagefleet.emulator.EmulatorViews.ReplicationState;
import dev.stagefleet.emulator.EmulatorViews.ReplicationType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Participant replication in one region: which publishers are copied into which other stages, the replicas that
 * follow their source in and out, and the reconnect window after a source leaves. Not thread-safe on purpose: it works
 * on the records its {@link EmulatedRegion} hands it, always under that region's lock.
 */
final class Replications {
  private final EmulatedRegion region;
  private final EmulatorQuotas quotas;
  private final List<ReplicationRecord> replications = new ArrayList<>();

  Replications(EmulatedRegion region, EmulatorQuotas quotas) {
    this.region = region;
    this.quotas = quotas;
  }

  void start(StageRecord source, StageRecord destination, String participantId, int reconnectWindowSeconds,
      Map<String, String> attributes, Instant now) {
    String sourceStageArn = source.arn;
    String destinationStageArn = destination.arn;
    ParticipantRecord participant = source.active == null ? null : source.active.participants.get(participantId);
    if (participant == null || !participant.connected) {
      throw IvsError.notFound("Participant " + participantId + " is not connected to stage " + sourceStageArn);
    }
    if (participant.isReplica()) {
      throw IvsError.validation("Participant " + participantId + " is itself a replica and cannot be replicated");
    }
    if (!participant.publishing) {
      throw IvsError.validation("Participant " + participantId + " is not publishing; only publishers can be "
          + "replicated");
    }
    for (ReplicationRecord replication : replications) {
      if (replication.matches(sourceStageArn, destinationStageArn, participantId)
          && replication.state == ReplicationState.ACTIVE) {
        throw IvsError.conflict("Participant " + participantId + " is already replicated into "
            + destinationStageArn);
      }
    }
    long active = replications.stream()
        .filter(r -> r.participantId.equals(participantId) && r.state == ReplicationState.ACTIVE).count();
    if (active >= quotas.replicationsPerParticipant()) {
      throw IvsError.quotaExceeded("Participant replication quota exceeded: " + participantId + " already has "
          + active + " of at most " + quotas.replicationsPerParticipant() + " concurrent replications");
    }
    if (region.publishers(destination, participantId) >= quotas.publishersPerStage()) {
      throw IvsError.quotaExceeded("Stage " + destinationStageArn + " already has " + quotas.publishersPerStage()
          + " publishers");
    }
    replications.removeIf(r -> r.matches(sourceStageArn, destinationStageArn, participantId));
    ReplicationRecord replication = new ReplicationRecord(sourceStageArn, destinationStageArn, participantId,
        region.nextSequence(), reconnectWindowSeconds);
    replication.sourceSessionId = source.active.id;
    replications.add(replication);
    participant.replicationType = ReplicationType.SOURCE;
    participant.replicationState = ReplicationState.ACTIVE;
    connectReplica(replication, participant, attributes, now);
  }

  void stop(String sourceStageArn, String destinationStageArn, String participantId, Instant now) {
    ReplicationRecord replication = replications.stream()
        .filter(r -> r.matches(sourceStageArn, destinationStageArn, participantId)).findFirst()
        .orElseThrow(() -> IvsError.notFound("No replication of participant " + participantId + " from "
            + sourceStageArn + " to " + destinationStageArn));
    remove(replication, now);
  }

  Page<ReplicaView> list(String sourceStageArn, String participantId, Long after, int limit) {
    List<ReplicationRecord> matching = replications.stream()
        .filter(r -> r.sourceStageArn.equals(sourceStageArn) && r.participantId.equals(participantId)).toList();
    return EmulatedRegion.page(matching, r -> r.seq, after, limit, true, ReplicationRecord::view);
  }

  /** Ends every replication from or into a stage that is going away. */
  void removeTouching(String stageArn, Instant now) {
    for (ReplicationRecord replication : List.copyOf(replications)) {
      if (replication.sourceStageArn.equals(stageArn) || replication.destinationStageArn.equals(stageArn)) {
        remove(replication, now);
      }
    }
  }

  /** A source left its stage: its replicas leave theirs, and its replications stop or wait out their window. */
  void sourceLeft(StageRecord stage, ParticipantRecord participant, Instant now) {
    for (ReplicationRecord replication : replications) {
      if (replication.sourceStageArn.equals(stage.arn) && replication.participantId.equals(participant.id)
          && replication.state == ReplicationState.ACTIVE && replication.lapsesAt == null) {
        disconnectReplica(replication, now);
        if (replication.reconnectWindowSeconds == 0) {
          replication.state = ReplicationState.STOPPED;
        } else {
          replication.lapsesAt = now.plusSeconds(replication.reconnectWindowSeconds);
        }
      }
    }
  }

  /** A source came back within its reconnect window: its replications resume. */
  void sourceRejoined(StageRecord stage, ParticipantRecord participant, Instant now) {
    for (ReplicationRecord replication : replications) {
      if (replication.sourceStageArn.equals(stage.arn) && replication.participantId.equals(participant.id)
          && replication.state == ReplicationState.ACTIVE && replication.lapsesAt != null) {
        replication.lapsesAt = null;
        replication.sourceSessionId = stage.active.id;
        participant.replicationType = ReplicationType.SOURCE;
        participant.replicationState = ReplicationState.ACTIVE;
        if (participant.publishing) {
          connectReplica(replication, participant, null, now);
        }
      }
    }
  }

  /** Stops the replications whose source did not come back within the reconnect window. */
  void expireLapsed(Instant now) {
    for (ReplicationRecord replication : replications) {
      if (replication.state == ReplicationState.ACTIVE && replication.lapsesAt != null
          && !now.isBefore(replication.lapsesAt)) {
        replication.state = ReplicationState.STOPPED;
      }
    }
  }

  void clear() {
    replications.clear();
  }

  private void connectReplica(ReplicationRecord replication, ParticipantRecord source, Map<String, String> attributes,
      Instant now) {
    StageRecord destination = region.findStage(replication.destinationStageArn);
    SessionRecord session = region.activeSession(destination, now);
    ParticipantRecord replica = session.participants.get(source.id);
    if (replica == null) {
      replica = region.newParticipant(source.id, now);
      session.participants.put(source.id, replica);
    }
    replica.userId = source.userId;
    Map<String, String> merged = new LinkedHashMap<>(source.attributes);
    if (attributes != null) {
      merged.putAll(attributes);
    }
    replica.attributes = merged;
    replica.connected = true;
    replica.publishing = true;
    replica.published = true;
    replica.replicationType = ReplicationType.REPLICA;
    replica.replicationState = ReplicationState.ACTIVE;
    replica.sourceStageArn = replication.sourceStageArn;
    replica.sourceSessionId = replication.sourceSessionId;
    replica.event(EventName.JOINED, now, null, null, true);
    replication.destinationSessionId = session.id;
    source.event(EventName.REPLICATION_STARTED, now, destination.arn, session.id, null);
  }

  private void disconnectReplica(ReplicationRecord replication, Instant now) {
    StageRecord destination = region.findStage(replication.destinationStageArn);
    if (destination == null || destination.active == null) {
      return;
    }
    ParticipantRecord replica = destination.active.participants.get(replication.participantId);
    if (replica != null && replica.isReplica() && replica.connected) {
      replica.connected = false;
      replica.publishing = false;
      replica.replicationState = ReplicationState.STOPPED;
      replica.event(EventName.LEFT, now, null, null, true);
      region.endSessionIfEmpty(destination, now);
    }
  }

  private void remove(ReplicationRecord replication, Instant now) {
    disconnectReplica(replication, now);
    replications.remove(replication);
    StageRecord source = region.findStage(replication.sourceStageArn);
    if (source != null && source.active != null) {
      ParticipantRecord participant = source.active.participants.get(replication.participantId);
      if (participant != null) {
        participant.event(EventName.REPLICATION_STOPPED, now, replication.destinationStageArn,
            replication.destinationSessionId, null);
        boolean stillReplicated = replications.stream().anyMatch(r -> r.sourceStageArn.equals(source.arn)
            && r.participantId.equals(participant.id) && r.state == ReplicationState.ACTIVE);
        if (!stillReplicated) {
          participant.replicationState = ReplicationState.STOPPED;
        }
      }
    }
  }

  private static final class ReplicationRecord {
    final String sourceStageArn;
    final String destinationStageArn;
    final String participantId;
    final long seq;
    final int reconnectWindowSeconds;
    String sourceSessionId;
    String destinationSessionId;
    ReplicationState state = ReplicationState.ACTIVE;
    Instant lapsesAt;

    ReplicationRecord(String sourceStageArn, String destinationStageArn, String participantId, long seq,
        int reconnectWindowSeconds) {
      this.sourceStageArn = sourceStageArn;
      this.destinationStageArn = destinationStageArn;
      this.participantId = participantId;
      this.seq = seq;
      this.reconnectWindowSeconds = reconnectWindowSeconds;
    }

    boolean matches(String source, String destination, String participant) {
      return sourceStageArn.equals(source) && destinationStageArn.equals(destination)
          && participantId.equals(participant);
    }

    ReplicaView view() {
      return new ReplicaView(sourceStageArn, participantId, sourceSessionId, destinationStageArn,
          destinationSessionId, state);
    }
  }
}
