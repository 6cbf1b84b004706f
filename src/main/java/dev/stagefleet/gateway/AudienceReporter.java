package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this replica's viewer counts into {@code status.audience.<replicaId>} with a JSON merge patch on the status
 * subresource: when they change (at most once per tick, so at most once a second per broadcast), and again every
 * refresh interval while non-empty, so the operator never sees a live report go stale.
 */
final class AudienceReporter {
  private static final Logger LOG = LoggerFactory.getLogger(AudienceReporter.class);

  private record Report(Map<String, Integer> viewers, int waiting, Instant writtenAt) {
  }

  private final KubernetesClient client;
  private final BroadcastDirectory directory;
  private final Audience audience;
  private final WaitingRoom room;
  private final Clock clock;
  private final String replicaId;
  private final Duration refreshInterval;
  private final GatewayMetrics metrics;
  /** What was last written per broadcast; only touched by the reporting thread. */
  private final Map<BroadcastKey, Report> written = new HashMap<>();

  AudienceReporter(KubernetesClient client, BroadcastDirectory directory, Audience audience, WaitingRoom room,
      Clock clock, GatewaySettings settings, GatewayMetrics metrics) {
    this.client = client;
    this.directory = directory;
    this.audience = audience;
    this.room = room;
    this.clock = clock;
    this.replicaId = settings.replicaId();
    this.refreshInterval = settings.audienceRefreshInterval();
    this.metrics = metrics;
  }

  /** One reporting round over every broadcast this replica has (or had) viewers for. */
  synchronized void tick() {
    Set<BroadcastKey> keys = new HashSet<>(audience.broadcasts());
    keys.addAll(room.broadcasts());
    keys.addAll(written.keySet());
    Instant now = clock.instant();
    for (BroadcastKey key : keys) {
      if (directory.find(key).isEmpty()) {
        written.remove(key);
        continue;
      }
      Map<String, Integer> counts = audience.counts(key);
      int waiting = room.waiting(key);
      Report last = written.get(key);
      boolean empty = counts.isEmpty() && waiting == 0;
      boolean changed = last == null ? !empty : !last.viewers().equals(counts) || last.waiting() != waiting;
      boolean due = last != null && !empty && !last.writtenAt().plus(refreshInterval).isAfter(now);
      if (!changed && !due) {
        continue;
      }
      Set<String> previousStages = last == null ? Set.of() : last.viewers().keySet();
      if (patch(key, AudienceReports.reportPatch(replicaId, counts, waiting, previousStages, now))) {
        written.put(key, new Report(Map.copyOf(counts), waiting, now));
      }
    }
  }

  /** Removes this replica's reports, so the operator stops counting its viewers at once (used on shutdown). */
  synchronized void withdraw() {
    for (Map.Entry<BroadcastKey, Report> entry : written.entrySet()) {
      if (!entry.getValue().viewers().isEmpty() || entry.getValue().waiting() > 0) {
        patch(entry.getKey(), AudienceReports.withdrawalPatch(replicaId));
      }
    }
    written.clear();
  }

  private boolean patch(BroadcastKey key, String body) {
    try {
      client.resources(LiveBroadcast.class).inNamespace(key.namespace()).withName(key.name())
          .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), body);
      metrics.audienceReport("written");
      return true;
    } catch (KubernetesClientException e) {
      metrics.audienceReport("failed");
      if (e.getCode() == 404) {
        written.remove(key);
      } else {
        LOG.warn("could not write the audience report of {}: {}", key, e.getMessage());
      }
      return false;
    }
  }
}
