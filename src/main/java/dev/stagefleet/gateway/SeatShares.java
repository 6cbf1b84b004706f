package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many seats of each Active stage this replica may fill, worked out from one version of the resource: the spare
 * seats (capacity minus everyone's viewers) are split evenly among the replicas that have viewers waiting (among all,
 * when none wait), and a replica never claims more than what the others' fresh reports leave of the capacity. Pure.
 */
final class SeatShares {
  private SeatShares() {
  }

  /**
   * This replica's seats per Active stage id.
   *
   * @param used    this replica's counting viewers per stage id, as its book has them now
   * @param waiting whether this replica holds viewers waiting for a seat
   */
  static Map<String, Integer> shares(LiveBroadcast broadcast, String replicaId, Map<String, Integer> used,
      boolean waiting, Instant now) {
    int capacity = broadcast.getSpec().getViewersPerStage();
    Map<String, AudienceReport> others = new HashMap<>(AudienceReports.fresh(broadcast.getStatus(), now));
    others.remove(replicaId);
    Map<String, Integer> othersViewers = AudienceReports.freshViewers(broadcast.getStatus(), now, replicaId);
    Map<String, Integer> othersHeld = AudienceReports.heldSeats(broadcast.getStatus(), now, replicaId);
    List<String> everyone = new ArrayList<>(others.keySet());
    everyone.add(replicaId);
    // a replica whose waiters all moved to another replica is not hungry any more, though its report still counts them
    List<String> hungry = new ArrayList<>(AudienceReports.freshWaitingByReplica(broadcast.getStatus(), now).keySet());
    hungry.remove(replicaId);
    if (waiting) {
      hungry.add(replicaId);
    }
    List<String> sharers = hungry.isEmpty() ? everyone : hungry;
    sharers.sort(null);
    Map<String, Integer> shares = new TreeMap<>();
    int index = 0;
    for (StageStatus stage : Seating.stages(broadcast)) {
      if (stage.getId() == null || !stage.isActive()) {
        continue;
      }
      String id = stage.getId();
      int mine = used.getOrDefault(id, 0);
      int spare = Math.max(0, capacity - othersViewers.getOrDefault(id, 0) - mine);
      int fair = sharers.contains(replicaId) ? split(spare, sharers, replicaId, index) : 0;
      int available = capacity - othersHeld.getOrDefault(id, 0);
      int share = Math.max(0, Math.min(mine + fair, available));
      if (share > 0) {
        shares.put(id, share);
      }
      index++;
    }
    return shares;
  }

  /** {@code member}'s part of {@code spare} split evenly; the remainder goes round, starting at a different member per stage. */
  static int split(int spare, List<String> members, String member, int stageIndex) {
    int n = members.size();
    int rank = Math.floorMod(members.indexOf(member) - stageIndex, n);
    return spare / n + (rank < spare % n ? 1 : 0);
  }
}
