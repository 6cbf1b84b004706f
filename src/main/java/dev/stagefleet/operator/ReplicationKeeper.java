package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.FanOut;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.operator.IvsRegions.IvsRegion;
import dev.stagefleet.scaling.FanOutPlan;
import dev.stagefleet.scaling.FanOutPlan.Feed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Keeps IVS participant replication true to the {@link FanOutPlan}: finds the broadcaster's publishing participant in
 * each origin stage, replicates it into that origin's replicas, restarts replication when the broadcaster comes back
 * as a new participant, stops it before a destination is deleted, and records each stage's feed in the status. A
 * stage whose replication cannot start is told to be an origin (the broadcaster publishes into it) until replication
 * works again, so no stage is ever left without the broadcaster.
 */
final class ReplicationKeeper {
  /** Keeps a replica through a short reconnect (a network blip) of the broadcaster's participant; IVS allows 0-300. */
  static final int RECONNECT_WINDOW_SECONDS = 60;
  /** How long a stage whose replication failed stays an origin before replication is tried again. */
  static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(60);
  /**
   * How often an unchanged origin's broadcaster is looked up again (one ListParticipants), to notice a reconnect as a
   * new participant soon, while reconciles on every audience report stay cheap.
   */
  static final Duration RECHECK = Duration.ofSeconds(5);
  /** How often the replicas of an unchanged origin and participant are listed again (one ListParticipantReplicas). */
  static final Duration VERIFY = Duration.ofSeconds(30);
  /** How often an origin without a publishing broadcaster is looked at again. */
  static final Duration RECHECK_WAITING = Duration.ofSeconds(3);

  private final String clusterId;
  private final EventRecorder events;
  private final Map<String, Memory> memory = new ConcurrentHashMap<>();

  /** What this pass did; {@code failure} is set when a replication could not start and a stage became an origin. */
  record Outcome(int started, int stopped, String failure, Duration recheckIn) {
    static final Outcome NONE = new Outcome(0, 0, null, null);
  }

  /** A replication this operator started: from the origin's participant into a destination. */
  private record Replication(String sourceArn, String destinationArn, String participantId) {
  }

  /** What one origin looked like when last checked. */
  private record Checked(Instant at, Set<String> replicas, String participantId, Instant listedAt) {
  }

  private static final class Memory {
    final Map<String, Feed> planned = new HashMap<>();
    final Map<String, Instant> refusedUntil = new HashMap<>();
    /** Why each refused stage is an origin, so the condition says so until replication is tried again. */
    final Map<String, String> refusedWhy = new HashMap<>();
    final Map<String, Replication> running = new HashMap<>();
    final Map<String, Checked> checked = new HashMap<>();
  }

  ReplicationKeeper(String clusterId, EventRecorder events) {
    this.clusterId = clusterId;
    this.events = events;
  }

  /**
   * Plans the feeds of {@code stages} (leaving out {@code toDelete}, whose replications are stopped first), acts on
   * IVS, and writes each stage's effective feed into {@code stages}.
   */
  Outcome keep(LiveBroadcast broadcast, IvsRegion region, BroadcastStages stages, Collection<String> toDelete,
      Instant now) {
    Memory m = memory.computeIfAbsent(broadcast.getMetadata().getUid(), uid -> new Memory());
    synchronized (m) {
      return keep(broadcast, region, stages, Set.copyOf(toDelete), now, m);
    }
  }

  /** Stops every replication of a broadcast that is going away, before its stages are deleted. */
  void release(LiveBroadcast broadcast, IvsRegion region) {
    Memory m = memory.remove(broadcast.getMetadata().getUid());
    if (m == null) {
      return;
    }
    synchronized (m) {
      for (Replication r : List.copyOf(m.running.values())) {
        stop(broadcast, region, r, "the broadcast is being deleted");
      }
    }
  }

  private Outcome keep(LiveBroadcast broadcast, IvsRegion region, BroadcastStages stages, Set<String> toDelete,
      Instant now, Memory m) {
    int stopped = 0;
    int started = 0;
    List<String> failures = new ArrayList<>();
    for (String id : toDelete) {
      Replication r = m.running.remove(id);
      if (r != null && stop(broadcast, region, r, "stage " + id + " is about to be deleted")) {
        stopped++;
      }
    }
    m.refusedUntil.values().removeIf(until -> !now.isBefore(until));
    m.refusedWhy.keySet().retainAll(m.refusedUntil.keySet());

    List<StageStatus> kept = stages.list().stream().filter(s -> !toDelete.contains(s.getId())).toList();
    Map<String, StageStatus> byId = new LinkedHashMap<>();
    kept.forEach(s -> byId.put(s.getId(), s));
    List<FanOutPlan.Stage> input = kept.stream().map(s -> new FanOutPlan.Stage(s.getId(), s.isActive(),
        m.planned.getOrDefault(s.getId(), recorded(s)), !m.refusedUntil.containsKey(s.getId()))).toList();
    FanOut mode = broadcast.getSpec().getFanOut();
    Map<String, Feed> plan = FanOutPlan.assign(mode, input);
    m.planned.clear();
    m.planned.putAll(plan);

    // Replications the plan no longer wants (the stage is an origin now, or fed from elsewhere) end first.
    for (Replication r : List.copyOf(m.running.values())) {
      String destination = idOf(r.destinationArn());
      Feed wanted = plan.get(destination);
      StageStatus source = byId.get(idOf(r.sourceArn()));
      if (wanted == null || wanted.origin() || source == null || !wanted.source().equals(source.getId())) {
        m.running.remove(destination);
        if (stop(broadcast, region, r, wanted == null ? "stage " + destination + " is gone"
            : "stage " + destination + " is now fed " + (wanted.origin() ? "directly" : "from " + wanted.source()))) {
          stopped++;
        }
      }
    }

    Map<String, Feed> effective = new LinkedHashMap<>(plan);
    Duration recheck = null;
    Map<String, List<String>> replicasOf = new LinkedHashMap<>();
    plan.forEach((id, feed) -> {
      if (!feed.origin()) {
        replicasOf.computeIfAbsent(feed.source(), k -> new ArrayList<>()).add(id);
      }
    });
    Map<String, String> sessions = region.inventory().view()
        .ownedBy(clusterId, broadcast.getMetadata().getUid()).stream()
        .filter(s -> s.activeSessionId() != null && !s.activeSessionId().isEmpty())
        .collect(Collectors.toMap(IvsService.Stage::arn, IvsService.Stage::activeSessionId, (a, b) -> a));
    String userId = broadcast.getSpec().getBroadcaster().getUserId();
    for (var entry : replicasOf.entrySet()) {
      StageStatus origin = byId.get(entry.getKey());
      Set<String> wanted = Set.copyOf(entry.getValue());
      Checked last = m.checked.get(origin.getId());
      if (last != null && last.replicas().equals(wanted) && now.isBefore(last.at().plus(
          last.participantId() == null ? RECHECK_WAITING : RECHECK))) {
        recheck = shorter(recheck, Duration.between(now, last.at().plus(
            last.participantId() == null ? RECHECK_WAITING : RECHECK)));
        continue;
      }
      String session = sessions.get(origin.getArn());
      Optional<String> participant;
      try {
        participant = session == null ? Optional.empty()
            : region.ivs().publishingParticipant(origin.getArn(), session, userId);
      } catch (IvsException e) {
        failures.add("cannot look up the broadcaster in origin " + origin.getId() + ": "
            + IvsFailure.describe(e));
        continue;
      }
      if (participant.isEmpty()) {
        // nothing to replicate until the broadcaster publishes into the origin; its replicas keep their plan
        m.checked.put(origin.getId(), new Checked(now, wanted, null, null));
        recheck = shorter(recheck, RECHECK_WAITING);
        continue;
      }
      String pid = participant.get();
      boolean trusted = last != null && last.replicas().equals(wanted) && pid.equals(last.participantId())
          && now.isBefore(last.listedAt().plus(VERIFY));
      Set<String> active;
      try {
        active = trusted ? m.running.values().stream().filter(r -> r.participantId().equals(pid)
            && r.sourceArn().equals(origin.getArn())).map(Replication::destinationArn)
            .collect(Collectors.toCollection(HashSet::new))
            : region.ivs().listReplicas(origin.getArn(), pid).stream()
            .filter(r -> "ACTIVE".equals(r.state())).map(IvsService.Replica::destinationStageArn)
            .collect(Collectors.toCollection(HashSet::new));
      } catch (IvsException e) {
        failures.add("cannot list the replicas of origin " + origin.getId() + ": "
            + IvsFailure.describe(e));
        continue;
      }
      for (String arn : List.copyOf(active)) {
        String destination = idOf(arn);
        if (!wanted.contains(destination)) {
          // started before a restart of this operator, or into a stage fed from elsewhere now
          if (stop(broadcast, region, new Replication(origin.getArn(), arn, pid), "stage " + destination
              + " is not a replica of " + origin.getId())) {
            stopped++;
            active.remove(arn);
          }
        }
      }
      for (String destination : entry.getValue()) {
        StageStatus stage = byId.get(destination);
        Replication running = m.running.get(destination);
        if (running != null && !running.participantId().equals(pid)) {
          // the broadcaster came back as a new participant (a reload, a new token): the old copy is a dead end
          m.running.remove(destination);
          stop(broadcast, region, running, "the broadcaster reconnected as participant " + pid);
        }
        if (active.contains(stage.getArn())) {
          m.running.put(destination, new Replication(origin.getArn(), stage.getArn(), pid));
          continue;
        }
        if (active.size() >= FanOutPlan.REPLICAS_PER_ORIGIN) {
          refuse(m, destination, now);
          effective.put(destination, Feed.asOrigin());
          failures.add("participant " + pid + " already has " + active.size() + " replications");
          continue;
        }
        try {
          region.ivs().startReplication(origin.getArn(), stage.getArn(), pid, RECONNECT_WINDOW_SECONDS);
          active.add(stage.getArn());
          m.running.put(destination, new Replication(origin.getArn(), stage.getArn(), pid));
          started++;
          events.normal(broadcast, EventRecorder.REPLICATION_STARTED, "Replicating the broadcaster (participant "
              + pid + ") from origin " + origin.getId() + " into stage " + destination);
        } catch (IvsException.Unavailable e) {
          // throttled or unreachable: not this stage's fault; publish into it directly and try again soon
          effective.put(destination, Feed.asOrigin());
          failures.add("cannot start replication into " + destination + " yet: " + IvsFailure.describe(e));
        } catch (IvsException e) {
          refuse(m, destination, now);
          effective.put(destination, Feed.asOrigin());
          String why = "Cannot replicate the broadcaster into stage " + destination + " ("
              + IvsFailure.describe(e) + "); the broadcaster publishes into it directly and replication"
              + " is tried again in " + RETRY_AFTER_FAILURE.toSeconds() + " s";
          events.warning(broadcast, EventRecorder.REPLICATION_FAILED, why);
          m.refusedWhy.put(destination, why);
        }
      }
      if (effective.entrySet().stream().noneMatch(f -> entry.getValue().contains(f.getKey()) && f.getValue().origin())) {
        m.checked.put(origin.getId(), new Checked(now, wanted, pid, trusted ? last.listedAt() : now));
      } else {
        m.checked.remove(origin.getId());
      }
      recheck = shorter(recheck, RECHECK);
    }
    m.checked.keySet().retainAll(replicasOf.keySet());
    effective.forEach((id, feed) -> stages.setFeed(id, feed.origin() ? StageStatus.ORIGIN : StageStatus.REPLICA,
        feed.source()));
    m.refusedWhy.keySet().retainAll(plan.keySet());
    failures.addAll(m.refusedWhy.values());
    return new Outcome(started, stopped, failures.isEmpty() ? null : String.join("; ", failures), recheck);
  }

  private static void refuse(Memory m, String destination, Instant now) {
    m.refusedUntil.put(destination, now.plus(RETRY_AFTER_FAILURE));
  }

  /** Stops a replication; one IVS no longer has counts as stopped. False when IVS could not be asked. */
  private boolean stop(LiveBroadcast broadcast, IvsRegion region, Replication r, String why) {
    try {
      region.ivs().stopReplication(r.sourceArn(), r.destinationArn(), r.participantId());
    } catch (IvsException.NotFound e) {
      return false;
    } catch (IvsException e) {
      events.warning(broadcast, EventRecorder.REPLICATION_FAILED, "Cannot stop replication into stage "
          + idOf(r.destinationArn()) + ": " + IvsFailure.describe(e));
      return false;
    }
    events.normal(broadcast, EventRecorder.REPLICATION_STOPPED, "Stopped replicating the broadcaster into stage "
        + idOf(r.destinationArn()) + ": " + why);
    return true;
  }

  /** The feed a stage's status records, for the first pass after a restart. */
  private static Feed recorded(StageStatus s) {
    if (StageStatus.REPLICA.equals(s.getFeed()) && s.getSource() != null) {
      return Feed.replicaOf(s.getSource());
    }
    return StageStatus.ORIGIN.equals(s.getFeed()) ? Feed.asOrigin() : null;
  }

  private static String idOf(String arn) {
    return arn.substring(arn.lastIndexOf('/') + 1);
  }

  private static Duration shorter(Duration a, Duration b) {
    return a == null || b.compareTo(a) < 0 ? b : a;
  }
}
