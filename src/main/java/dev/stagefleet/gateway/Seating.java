package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.scaling.PlacementIndex;
import dev.stagefleet.scaling.ViewerPlacement;
import dev.stagefleet.scaling.ViewerPlacement.Decision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where the next viewer of a broadcast sits: each stage's load is this replica's counting viewers plus the other
 * replicas' fresh reports, or the operator's count if that is more, and {@link ViewerPlacement}'s rule picks among
 * the stages where this replica holds seats it has not filled (see {@link SeatShares}). The rule runs on a
 * {@link PlacementIndex} the book keeps up to date with its counts, rebuilt only when the broadcast, the seats held
 * or the set of fresh reports change, so a join does not walk the stages. Call holding the book's monitor.
 */
final class Seating {
  private final String replicaId;

  /**
   * A book's placement index and what it was built from: the broadcast as the directory held it (a new version is a
   * new object), the seats held, and until when every fresh report it counts stays fresh.
   */
  record Indexed(PlacementIndex index, LiveBroadcast broadcast, String version, LiveBroadcastStatus status,
      List<StageStatus> stageList, int capacity, Map<String, Integer> seats, Instant builtAt, Instant expires,
      Map<String, StageStatus> stages) {

    /** Whether it holds for this broadcast and these seats at {@code at} (both are replaced on change, never edited). */
    boolean fits(LiveBroadcast now, Map<String, Integer> seatsNow, Instant at) {
      LiveBroadcastStatus statusNow = now.getStatus();
      return now == broadcast && statusNow == status && (statusNow == null || statusNow.getStages() == stageList)
          && Objects.equals(version, now.getMetadata().getResourceVersion())
          && capacity == now.getSpec().getViewersPerStage() && seatsNow == seats
          && !at.isBefore(builtAt) && at.isBefore(expires);
    }
  }

  Seating(String replicaId) {
    this.replicaId = replicaId;
  }

  /** Where the next viewer sits: on a stage with room where this replica holds a seat it has not filled. */
  Decision place(AudienceBook book, LiveBroadcast broadcast, Instant now) {
    return indexed(book, broadcast, now).index().place(broadcast.getSpec().getMaxStages());
  }

  /** The stage {@link #place} just chose for the book. */
  static StageStatus placedOn(AudienceBook book, String stageId) {
    StageStatus stage = book.indexed() == null ? null : book.indexed().stages().get(stageId);
    if (stage == null) {
      throw new IllegalStateException("placement chose unknown stage " + stageId);
    }
    return stage;
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

  /** The book's index for this version of the broadcast at {@code now}: the one it has if it fits, else a new one. */
  private Indexed indexed(AudienceBook book, LiveBroadcast broadcast, Instant now) {
    Map<String, Integer> local = book.counting(now); // catches up on expired viewers first
    Map<String, Integer> seats = book.seats(now);
    Indexed current = book.indexed();
    if (current != null && current.fits(broadcast, seats, now)) {
      return current;
    }
    LiveBroadcastStatus status = broadcast.getStatus();
    Map<String, Integer> others = AudienceReports.freshViewers(status, now, replicaId);
    List<PlacementIndex.Stage> loads = new ArrayList<>();
    Map<String, StageStatus> byId = new HashMap<>();
    for (StageStatus stage : stages(broadcast)) {
      if (stage.getId() == null) {
        continue;
      }
      int observed = stage.getViewers() == null ? 0 : Math.max(0, stage.getViewers());
      loads.add(new PlacementIndex.Stage(stage.getId(), stage.isActive(), others.getOrDefault(stage.getId(), 0),
          observed, seats.getOrDefault(stage.getId(), 0)));
      byId.putIfAbsent(stage.getId(), stage);
    }
    // the fresh reports' sum holds until the first of them goes stale (a stale one never turns fresh again)
    Instant expires = AudienceReports.fresh(status, now).values().stream()
        .map(r -> AudienceReports.reportedAt(r).orElseThrow().plus(AudienceReports.STALE_AFTER).plusNanos(1))
        .min(Instant::compareTo).orElse(Instant.MAX);
    int capacity = broadcast.getSpec().getViewersPerStage();
    Indexed built = new Indexed(new PlacementIndex(loads, capacity, local), broadcast,
        broadcast.getMetadata().getResourceVersion(), status, status == null ? null : status.getStages(), capacity,
        seats, now, expires, byId);
    book.indexed(built);
    return built;
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
