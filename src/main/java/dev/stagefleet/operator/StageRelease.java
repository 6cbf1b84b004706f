package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.operator.IvsRegions.IvsRegion;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets go of a deleted broadcast's stages in every region in use: stops its replication, then deletes the stages,
 * or with the {@code retain} policy retags them as no longer managed. A failing IVS call stops the step and is thrown, so the finalizer stays.
 */
final class StageRelease {
  private static final Logger LOG = LoggerFactory.getLogger(StageRelease.class);

  private final String clusterId;
  private final IvsRegions regions;
  private final ReplicationKeeper replication;
  private final EventRecorder events;
  private final Leadership leadership;

  StageRelease(String clusterId, IvsRegions regions, ReplicationKeeper replication, EventRecorder events,
      Leadership leadership) {
    this.clusterId = clusterId;
    this.regions = regions;
    this.replication = replication;
    this.events = events;
    this.leadership = leadership;
  }

  void releaseAll(LiveBroadcast broadcast, boolean retain) {
    regions.region(broadcast.getSpec() == null ? null : broadcast.getSpec().getRegion())
        .ifPresent(region -> replication.release(broadcast, region));
    for (IvsRegion region : regionsOf(broadcast)) {
      for (IvsService.Stage stage : region.inventory().view().ownedBy(clusterId, broadcast.getMetadata().getUid())) {
        release(broadcast, region, stage, retain);
      }
    }
  }

  private void release(LiveBroadcast broadcast, IvsRegion region, IvsService.Stage stage, boolean retain) {
    leadership.check();
    if (retain) {
      try {
        region.ivs().tagResource(stage.arn(), Map.of(StageTags.MANAGED_BY, StageTags.RETAINED));
      } catch (UnsupportedOperationException e) {
        LOG.warn("stage {} is retained but could not be retagged ({}); after a restart it may be collected as an"
            + " orphan", stage.arn(), e.getMessage());
      }
      region.inventory().release(stage.arn());
      events.normal(broadcast, EventRecorder.STAGES_RETAINED, "Retained stage " + stage.id()
          + " (deletion policy retain); StageFleet no longer manages it");
    } else {
      region.ivs().deleteStage(stage.arn());
      region.inventory().recordDeleted(stage.arn());
      events.normal(broadcast, EventRecorder.STAGE_DELETED, "Deleted stage " + stage.id()
          + " because the broadcast was deleted");
    }
  }

  /** The broadcast's region and every other region in use, since its region may have changed. */
  private List<IvsRegion> regionsOf(LiveBroadcast broadcast) {
    Set<IvsRegion> all = new LinkedHashSet<>();
    String region = broadcast.getSpec() == null ? null : broadcast.getSpec().getRegion();
    regions.region(region).ifPresent(all::add);
    all.addAll(regions.inUse());
    return List.copyOf(all);
  }
}
