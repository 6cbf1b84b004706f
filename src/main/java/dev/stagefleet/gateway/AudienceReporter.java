package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.AudienceReports.Report;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.gateway.UrgentDemand.Demand;
import dev.stagefleet.scaling.ScalingSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this replica's report into {@code status.audience.<replicaId>} (viewers and seats per stage, viewers waiting
 * and taken over) with a JSON merge patch on the status subresource: when it changes (at most once per tick), and
 * again before its seats lapse while it is not empty. A report that grows this replica's seats names the
 * resourceVersion its shares were worked out from, so two replicas never claim the same free seat: on a conflict it
 * reads the resource again and works them out anew. Between ticks it writes a report whose demand would change the
 * operator's decision ({@link UrgentDemand}), so a storm's demand reaches the operator at once. It also retires the
 * reports of replicas gone for a while.
 */
final class AudienceReporter {
  private static final Logger LOG = LoggerFactory.getLogger(AudienceReporter.class);
  /** How long written seats may be filled: half the time after which the other replicas stop counting the report. */
  static final Duration SEAT_LEASE = AudienceReports.STALE_AFTER.dividedBy(2);
  /** A report this much older than stale belongs to a gone replica: it is removed from the resource. */
  static final Duration RETIRE_AFTER = AudienceReports.STALE_AFTER.multipliedBy(2);
  private static final int CLAIM_ATTEMPTS = 3;

  private record Written(Report report, Instant at) {
  }

  /** What a round writes: every changed or due report, only seat claims, or only urgent demand. */
  private enum Round { TICK, CLAIMS, DEMAND }

  private final StatusWrites writes;
  private final BroadcastDirectory directory;
  private final Audience audience;
  private final WaitingRoom room;
  private final Clock clock;
  private final String replicaId;
  private final Duration refreshInterval;
  private final GatewayMetrics metrics;
  /** What was last written per broadcast; only touched under this object's monitor. */
  private final Map<BroadcastKey, Written> written = new HashMap<>();
  private final Map<BroadcastKey, Instant> retiredAt = new HashMap<>();

  /** Where reports go: the status subresource of the broadcast in the cluster, as a JSON merge patch. */
  interface StatusWrites {
    /** Writes the patch; a {@link KubernetesClientException} carries the API server's answer. */
    void patch(BroadcastKey key, String body);

    /** The broadcast as the API server has it now (after a conflict); null when it is gone. */
    LiveBroadcast read(BroadcastKey key);

    static StatusWrites to(KubernetesClient client) {
      return new StatusWrites() {
        @Override
        public void patch(BroadcastKey key, String body) {
          client.resource(LiveBroadcast.named(key.namespace(), key.name()))
              .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), body);
        }

        @Override
        public LiveBroadcast read(BroadcastKey key) {
          return client.resources(LiveBroadcast.class).inNamespace(key.namespace()).withName(key.name()).get();
        }
      };
    }

    /** Reports that go nowhere, as if written (the start-up warm-up's, over a directory that never changes). */
    static StatusWrites nowhere(BroadcastDirectory directory) {
      return new StatusWrites() {
        @Override
        public void patch(BroadcastKey key, String body) {
        }

        @Override
        public LiveBroadcast read(BroadcastKey key) {
          return directory.find(key).orElse(null);
        }
      };
    }
  }

  AudienceReporter(StatusWrites writes, BroadcastDirectory directory, Audience audience, WaitingRoom room,
      Clock clock, GatewaySettings settings, GatewayMetrics metrics) {
    this.writes = writes;
    this.directory = directory;
    this.audience = audience;
    this.room = room;
    this.clock = clock;
    this.replicaId = settings.replicaId();
    this.refreshInterval = settings.audienceRefreshInterval().compareTo(SEAT_LEASE.dividedBy(2)) < 0
        ? settings.audienceRefreshInterval() : SEAT_LEASE.dividedBy(2);
    this.metrics = metrics;
  }

  /** One reporting round over every broadcast this replica has (or had) viewers, waiters or seats for. */
  void tick() {
    tick(Round.TICK);
  }

  /**
   * A round that writes only reports claiming more seats (a join found room only in other replicas' seats): it runs
   * between ticks, so the report's other changes wait for the next tick (at most one write a tick otherwise).
   */
  void claim() {
    tick(Round.CLAIMS);
  }

  /**
   * A round between ticks that writes only the reports whose demand would change the operator's decision (a line
   * formed, or more stages wanted than the written report asked for); the caller paces these rounds.
   */
  void demand() {
    tick(Round.DEMAND);
  }

  private synchronized void tick(Round round) {
    Set<BroadcastKey> keys = new HashSet<>(audience.broadcasts());
    keys.addAll(room.broadcasts());
    keys.addAll(written.keySet());
    for (BroadcastKey key : keys) {
      LiveBroadcast broadcast = directory.find(key).orElse(null);
      if (broadcast == null || broadcast.getMetadata().getDeletionTimestamp() != null) {
        written.remove(key);
        continue;
      }
      report(key, broadcast, round);
      if (round == Round.TICK) {
        retireGoneReplicas(key, broadcast);
      }
    }
  }

  /** Writes the broadcast's report if it changed or is due; claims seats with the resourceVersion read. */
  private void report(BroadcastKey key, LiveBroadcast seen, Round round) {
    LiveBroadcast broadcast = seen;
    for (int attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      Instant now = clock.instant();
      int waiting = room.waiting(key);
      Map<String, Integer> used = audience.counts(key);
      Map<String, Integer> shares = SeatShares.shares(broadcast, replicaId, used,
          waiting > 0 || audience.seatBook().lacksSeats(key), now);
      Map<String, Integer> held = audience.seatBook().seats(key);
      // seats given back stop being filled before the report says so; the counts are taken with them
      used = audience.seatBook().limitSeats(key, shares);
      boolean grows = shares.entrySet().stream().anyMatch(e -> e.getValue() > held.getOrDefault(e.getKey(), 0));
      Report report = new Report(used, waiting, shares, audience.seatBook().adopted(key), room.waitingAdopted(key));
      Written last = written.get(key);
      boolean changed = last == null ? !report.isEmpty() : !last.report().equals(report);
      boolean due = last != null && !report.isEmpty() && !last.at().plus(refreshInterval).isAfter(now);
      boolean write = switch (round) {
        case TICK -> changed || due;
        case CLAIMS -> (changed || due) && grows;
        // seat claims are left to the claim rounds and the tick: a guarded claim here, right after the operator's
        // answer to the last report, is mostly a 409 that holds up the claim rounds admissions wait for
        case DEMAND -> changed && urgent(broadcast, last, report, now);
      };
      if (!write) {
        return;
      }
      String version = grows ? broadcast.getMetadata().getResourceVersion() : null;
      Report previous = last == null ? Report.EMPTY : last.report();
      Instant at = now.truncatedTo(ChronoUnit.SECONDS);
      Outcome outcome = patch(key, AudienceReports.reportPatch(replicaId, report, previous, now, version));
      if (outcome == Outcome.WRITTEN) {
        written.put(key, new Written(report, now));
        audience.seatBook().holdSeats(key, shares, at.plus(SEAT_LEASE));
        if (grows) {
          metrics.audienceReport("seats_claimed");
          room.admitSoon(key);
        }
        return;
      }
      if (outcome != Outcome.CONFLICT) {
        return;
      }
      metrics.audienceReport("seat_conflict");
      broadcast = read(key);
      if (broadcast == null) {
        return;
      }
    }
  }

  /** Whether the report would change the operator's decision against the one last written (see {@link UrgentDemand}). */
  private boolean urgent(LiveBroadcast broadcast, Written last, Report report, Instant now) {
    var spec = broadcast.getSpec();
    if (spec == null || !spec.validate().isEmpty()) {
      return false; // the operator scales nothing for an invalid spec
    }
    LiveBroadcastStatus status = broadcast.getStatus();
    int elsewhere = AudienceReports.freshViewers(status, now, replicaId).values().stream()
        .mapToInt(Integer::intValue).sum() + AudienceReports.fresh(status, now).entrySet().stream()
        .filter(e -> !e.getKey().equals(replicaId) && e.getValue().getWaiting() != null)
        .mapToInt(e -> Math.max(0, e.getValue().getWaiting())).sum();
    return UrgentDemand.urgent(last == null ? Demand.NONE : demand(last.report()), demand(report), elsewhere,
        ScalingSettings.of(spec));
  }

  private static Demand demand(Report report) {
    return new Demand(report.viewers().values().stream().mapToInt(Integer::intValue).sum(), report.waiting());
  }

  /** Removes the reports of replicas that stopped writing long ago (a gone pod's name never comes back). */
  private void retireGoneReplicas(BroadcastKey key, LiveBroadcast broadcast) {
    Instant now = clock.instant();
    Instant last = retiredAt.get(key);
    if (last != null && last.plus(refreshInterval).isAfter(now)) {
      return;
    }
    retiredAt.put(key, now);
    LiveBroadcast seen = broadcast;
    for (int attempt = 1; attempt <= CLAIM_ATTEMPTS && seen != null; attempt++) {
      List<String> gone = gone(seen, now);
      if (gone.isEmpty()) {
        return;
      }
      Outcome outcome = patch(key, AudienceReports.retirementPatch(gone, seen.getMetadata().getResourceVersion()));
      if (outcome == Outcome.WRITTEN) {
        metrics.audienceReport("retired");
        LOG.info("retired the audience reports of gone gateway replicas {} of {}", gone, key);
        return;
      }
      // the cache lags behind this replica's own writes: read the resource as it is now
      seen = outcome == Outcome.CONFLICT ? read(key) : null;
    }
  }

  /** The replicas whose reports were not rewritten for {@link #RETIRE_AFTER}. */
  private List<String> gone(LiveBroadcast broadcast, Instant now) {
    return broadcast.getStatus() == null ? List.of() : broadcast.getStatus().audienceOrEmpty().entrySet()
        .stream().filter(e -> !e.getKey().equals(replicaId) && AudienceReports.reportedAt(e.getValue())
            .map(at -> at.plus(RETIRE_AFTER).isBefore(now)).orElse(true))
        .map(Map.Entry::getKey).toList();
  }

  /**
   * Hands this replica's viewers over on shutdown: the report counts none of them any more (the replicas they
   * reconnect to count them), and keeps seats for them until it goes stale, so no one else takes those seats before
   * the new replicas report them.
   */
  synchronized void handOver() {
    Instant now = clock.instant();
    for (BroadcastKey key : new HashSet<>(written.keySet())) {
      Map<String, Integer> used = audience.counts(key);
      Report last = written.get(key).report();
      if (last.isEmpty() && used.isEmpty()) {
        continue;
      }
      Report handed = new Report(Map.of(), 0, used, Map.of());
      patch(key, used.isEmpty() ? AudienceReports.withdrawalPatch(replicaId)
          : AudienceReports.reportPatch(replicaId, handed, last, now, null));
    }
    written.clear();
  }

  private enum Outcome { WRITTEN, CONFLICT, FAILED }

  private Outcome patch(BroadcastKey key, String body) {
    try {
      writes.patch(key, body);
      metrics.audienceReport("written");
      return Outcome.WRITTEN;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return Outcome.CONFLICT;
      }
      metrics.audienceReport("failed");
      if (e.getCode() == 404) {
        written.remove(key);
      } else {
        LOG.warn("could not write the audience report of {}: {}", key, e.getMessage());
      }
      return Outcome.FAILED;
    }
  }

  private LiveBroadcast read(BroadcastKey key) {
    try {
      return writes.read(key);
    } catch (KubernetesClientException e) {
      LOG.warn("could not read {} to claim seats: {}", key, e.getMessage());
      return null;
    }
  }
}
