package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.operator.IvsRegions.IvsRegion;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes this cluster's stages whose owner no longer exists (deleted without its finalizer running, or moved to
 * another region), once they have looked orphaned for the whole grace period. Stages of another cluster id, of
 * namespaces this operator does not watch, or retained by the deletion policy are never touched.
 */
final class OrphanCollector {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanCollector.class);

  private final OperatorSettings settings;
  private final KubernetesClient client;
  private final IvsRegions regions;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final Leadership leadership;
  /** When each candidate was first seen orphaned; only this process's sweeps count towards the grace period. */
  private final Map<String, Instant> orphanedSince = new HashMap<>();

  OrphanCollector(OperatorSettings settings, KubernetesClient client, IvsRegions regions, OperatorMetrics metrics,
      Clock clock, Leadership leadership) {
    this.settings = settings;
    this.leadership = leadership;
    this.client = client;
    this.regions = regions;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** One sweep over every region in use. */
  synchronized void collect() {
    // The views are taken before the owners are listed: a stage in a view was created after its owner, so its
    // owner is in the list, and a brand-new broadcast's stage never looks orphaned.
    Map<IvsRegion, List<IvsService.Stage>> candidates = new HashMap<>();
    for (IvsRegion region : regions.inUse()) {
      try {
        candidates.put(region, region.inventory().view().ofCluster(settings.clusterId()));
      } catch (IvsException e) {
        LOG.debug("orphan sweep skips {}: {}", region.name(), e.getMessage());
      }
    }
    Map<String, String> ownerRegions = ownerRegions();
    Instant now = clock.instant();
    Set<String> orphans = new HashSet<>();
    for (var entry : candidates.entrySet()) {
      IvsRegion region = entry.getKey();
      for (IvsService.Stage stage : entry.getValue()) {
        var owner = StageTags.owner(stage).orElseThrow();
        if (!watches(owner.namespace()) || region.name().equals(ownerRegions.get(owner.uid()))) {
          continue;
        }
        orphans.add(stage.arn());
        Instant since = orphanedSince.computeIfAbsent(stage.arn(), arn -> now);
        if (now.isBefore(since.plus(settings.orphanGracePeriod()))) {
          continue;
        }
        leadership.check();
        try {
          region.ivs().deleteStage(stage.arn());
          region.inventory().recordDeleted(stage.arn());
          metrics.orphanDeleted();
          LOG.info("deleted orphaned stage {} of {}/{} (owner {} is gone)", stage.arn(), owner.namespace(),
              owner.name(), owner.uid());
        } catch (IvsException e) {
          LOG.warn("could not delete orphaned stage {}: {}", stage.arn(), e.getMessage());
        }
      }
    }
    orphanedSince.keySet().retainAll(orphans);
  }

  /** The region of every existing broadcast in the watched namespaces, by uid. */
  private Map<String, String> ownerRegions() {
    List<LiveBroadcast> broadcasts = new ArrayList<>();
    if (settings.namespaces().isEmpty()) {
      broadcasts.addAll(client.resources(LiveBroadcast.class).inAnyNamespace().list().getItems());
    } else {
      for (String namespace : settings.namespaces()) {
        broadcasts.addAll(client.resources(LiveBroadcast.class).inNamespace(namespace).list().getItems());
      }
    }
    Map<String, String> regionsByUid = new HashMap<>();
    for (LiveBroadcast b : broadcasts) {
      String region = b.getSpec() == null || b.getSpec().getRegion() == null || b.getSpec().getRegion().isEmpty()
          ? regions.defaultRegion() : b.getSpec().getRegion();
      regionsByUid.put(b.getMetadata().getUid(), region);
    }
    return regionsByUid;
  }

  private boolean watches(String namespace) {
    return settings.namespaces().isEmpty() || settings.namespaces().contains(namespace);
  }
}
