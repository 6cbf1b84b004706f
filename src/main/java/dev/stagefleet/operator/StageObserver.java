package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.operator.IvsRegions.IvsRegion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The "observe" step: a broadcast's stages as they really are, those in the inventory tagged as its own whether or
 * not the status knows them yet (adopting a stage created just before a crash), with the observed audience of each.
 */
final class StageObserver {
  private final String clusterId;
  private final EventRecorder events;
  private final ParticipantSampler sampler;

  StageObserver(String clusterId, EventRecorder events, ParticipantSampler sampler) {
    this.clusterId = clusterId;
    this.events = events;
    this.sampler = sampler;
  }

  BroadcastStages observe(LiveBroadcast broadcast, IvsRegion region, Instant now) {
    String uid = broadcast.getMetadata().getUid();
    StageInventory inventory = region.inventory();
    List<IvsService.Stage> owned = inventory.view().ownedBy(clusterId, uid);
    Set<String> ownedArns = owned.stream().map(IvsService.Stage::arn).collect(Collectors.toSet());
    LiveBroadcastStatus status = broadcast.getStatus();
    BroadcastStages stages = BroadcastStages.of(status == null ? List.of() : status.stagesOrEmpty());
    for (StageStatus known : stages.list()) {
      if (!ownedArns.contains(known.getArn())) {
        stages.remove(known.getId());
        // a status read before our own last write still lists a stage we deleted: nothing to report then
        if (!inventory.deletedRecently(known.getArn())) {
          events.warning(broadcast, EventRecorder.STAGE_VANISHED, "Stage " + known.getId()
              + " no longer exists in IVS with this broadcast's tags; removed from the status");
        }
      }
    }
    for (IvsService.Stage stage : owned) {
      if (stages.containsArn(stage.arn())) {
        continue;
      }
      // ListStages leaves out endpoints, and the gateways need them to mint tokens.
      Optional<IvsService.Stage> described = stage.endpoints() != null ? Optional.of(stage)
          : region.ivs().getStage(stage.arn());
      if (described.isEmpty()) {
        inventory.recordDeleted(stage.arn());
        continue;
      }
      stages.add(described.get(), now);
      // a stage this process just created and a status read before that write: ours already, not an adoption
      if (!inventory.createdRecently(stage.arn())) {
        events.normal(broadcast, EventRecorder.ADOPTED, "Adopted stage " + stage.id()
            + ", found in IVS with this broadcast's tags but missing from its status");
      }
    }
    Map<String, Integer> reported = AudienceReports.freshViewers(status, now);
    List<String> arns = stages.list().stream().map(StageStatus::getArn).toList();
    // the inventory's entries carry each stage's active session, which is all a sample needs besides the ARN
    sampler.track(uid, region.ivs(), owned.stream().filter(s -> stages.containsArn(s.arn())).toList());
    Map<String, Integer> sampled = sampler.fresh(arns);
    Instant reportedAt = AudienceReports.countedAt(status, now).orElse(null);
    for (StageStatus stage : stages.list()) {
      stages.setViewers(stage.getId(),
          AudienceObserver.observed(reported.get(stage.getId()), reportedAt, sampled.get(stage.getArn()),
              sampler.sampledAt(stage.getArn()).orElse(null)),
          AudienceObserver.countedAt(reportedAt, sampler.sampledAt(stage.getArn()).orElse(null)));
    }
    return stages;
  }
}
