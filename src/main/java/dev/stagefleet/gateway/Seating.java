package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.scaling.ViewerPlacement;
import dev.stagefleet.scaling.ViewerPlacement.Decision;
import dev.stagefleet.scaling.ViewerPlacement.StageLoad;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the next viewer of a broadcast sits: each stage's load is this replica's counting viewers plus the other
 * replicas' fresh reports, or the operator's count if that is more, and the pure {@link ViewerPlacement} picks among
 * the stages where this replica holds seats it has not filled (see {@link SeatShares}). Call holding the book's
 * monitor.
 */
final class Seating {
  private final String replicaId;

  Seating(String replicaId) {
    this.replicaId = replicaId;
  }

  /** Where the next viewer sits: on a stage with room where this replica holds a seat it has not filled. */
  Decision place(AudienceBook book, LiveBroadcast broadcast, Instant now) {
    return ViewerPlacement.place(loads(book, broadcast, now), broadcast.getSpec().getViewersPerStage(),
        broadcast.getSpec().getMaxStages(), book.seatsLeft(now));
  }

  /**
   * Viewers per stage id as every replica counts them, each once: the others' fresh reports with this replica's
   * report as its book has it now (viewers it just took over count once even before its next report says so).
   */
  Map<String, Integer> everyone(AudienceBook book, LiveBroadcast broadcast, Instant now) {
    LiveBroadcastStatus status = new LiveBroadcastStatus();
    Map<String, AudienceReport> audience = new java.util.HashMap<>(broadcast.getStatus() == null ? Map.of()
        : broadcast.getStatus().audienceOrEmpty());
    AudienceReport mine = new AudienceReport(new java.util.HashMap<>(book.counting(now)), now.toString());
    mine.setAdopted(book.adopted(now));
    audience.put(replicaId, mine);
    status.setAudience(audience);
    return AudienceReports.freshViewers(status, now);
  }

  private List<StageLoad> loads(AudienceBook book, LiveBroadcast broadcast, Instant now) {
    Map<String, Integer> local = book.counting(now);
    Map<String, Integer> others = AudienceReports.freshViewers(broadcast.getStatus(), now, replicaId);
    List<StageLoad> loads = new ArrayList<>();
    for (StageStatus stage : stages(broadcast)) {
      if (stage.getId() == null) {
        continue;
      }
      int reported = local.getOrDefault(stage.getId(), 0) + others.getOrDefault(stage.getId(), 0);
      int observed = stage.getViewers() == null ? 0 : Math.max(0, stage.getViewers());
      loads.add(new StageLoad(stage.getId(), stage.isActive(), Math.max(reported, observed)));
    }
    return loads;
  }

  static List<StageStatus> stages(LiveBroadcast broadcast) {
    return broadcast.getStatus() == null ? List.of() : broadcast.getStatus().stagesOrEmpty();
  }

  /** The stage placement chose. */
  static StageStatus stage(LiveBroadcast broadcast, String stageId) {
    return stages(broadcast).stream().filter(s -> stageId.equals(s.getId())).findFirst()
        .orElseThrow(() -> new IllegalStateException("placement chose unknown stage " + stageId));
  }
}
