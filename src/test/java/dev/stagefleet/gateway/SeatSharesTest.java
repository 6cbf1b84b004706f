package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** How a replica works out its seats from one version of the resource. */
@Tag("unit")
class SeatSharesTest {
  static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  @Test
  void theOnlyReplicaMayFillEveryStage() {
    LiveBroadcast broadcast = broadcast(50, "s1", "s2");

    assertThat(SeatShares.shares(broadcast, "a", Map.of("s1", 7), false, NOW))
        .containsOnly(Map.entry("s1", 50), Map.entry("s2", 50));
  }

  @Test
  void aReplicaNeverClaimsSeatsAnotherHoldsEvenUnfilled() {
    LiveBroadcast broadcast = broadcast(50, "s1");
    report(broadcast, "b", Map.of("s1", 10), Map.of("s1", 30), 3);

    assertThat(SeatShares.shares(broadcast, "a", Map.of(), true, NOW)).containsOnly(Map.entry("s1", 20));
  }

  @Test
  void aReplicaWithNoOneWaitingGivesItsSpareSeatsToOneThatHasViewersWaiting() {
    LiveBroadcast broadcast = broadcast(50, "s1");
    report(broadcast, "b", Map.of("s1", 10), Map.of("s1", 10), 4);

    assertThat(SeatShares.shares(broadcast, "a", Map.of("s1", 5), false, NOW)).containsOnly(Map.entry("s1", 5));
    assertThat(SeatShares.shares(broadcast, "a", Map.of("s1", 5), true, NOW)).as("both wait: the spare is split")
        .containsOnly(Map.entry("s1", 5 + 18));
  }

  @Test
  void aReplicaWhoseWaitersAllMovedToAnotherIsNotSharedSpareSeatsForThem() {
    LiveBroadcast broadcast = broadcast(50, "s1");
    report(broadcast, "b", Map.of("s1", 10), Map.of("s1", 10), 2);
    report(broadcast, "c", Map.of(), Map.of(), 2);
    report(broadcast, "a", Map.of(), Map.of(), 1);
    // c took both of b's waiters over: b still counts them for a few seconds, but they wait at c
    broadcast.getStatus().getAudience().get("c").setWaitingAdopted(Map.of("b", 2));

    assertThat(SeatShares.shares(broadcast, "a", Map.of(), true, NOW)).as("the spare 40 split between a and c")
        .containsOnly(Map.entry("s1", 20));
    assertThat(SeatShares.shares(broadcast, "c", Map.of(), true, NOW)).containsOnly(Map.entry("s1", 20));
  }

  @Test
  void aGoneReplicasSeatsAreFreeOnceItsReportIsStale() {
    LiveBroadcast broadcast = broadcast(50, "s1");
    report(broadcast, "gone", Map.of("s1", 40), Map.of("s1", 40), 0);
    broadcast.getStatus().getAudience().get("gone").setReportedAt(NOW.minus(AudienceReports.STALE_AFTER)
        .minusSeconds(1).toString());

    assertThat(SeatShares.shares(broadcast, "a", Map.of(), false, NOW)).containsOnly(Map.entry("s1", 50));
  }

  @Test
  void seatsClaimedOneVersionAtATimeNeverAddUpToMoreThanAStagesCapacity() {
    Random random = new Random(15);
    List<String> replicas = List.of("a", "b", "c");
    LiveBroadcast broadcast = broadcast(50, "s1", "s2", "s3");
    Map<String, Map<String, Integer>> used = new HashMap<>();
    replicas.forEach(r -> used.put(r, new HashMap<>()));
    for (int step = 0; step < 5_000; step++) {
      // a replica works out its shares from the current version and writes them (a write is one version)
      String replica = replicas.get(random.nextInt(3));
      Map<String, Integer> mine = used.get(replica);
      Map<String, Integer> shares = SeatShares.shares(broadcast, replica, mine, random.nextBoolean(), NOW);
      // it then fills some of its seats, or some of its viewers leave
      for (String stage : List.of("s1", "s2", "s3")) {
        int seats = shares.getOrDefault(stage, 0);
        int n = mine.getOrDefault(stage, 0);
        n = random.nextInt(4) == 0 ? Math.max(0, n - random.nextInt(5)) : Math.max(n, Math.min(seats,
            n + random.nextInt(6)));
        mine.put(stage, n);
      }
      report(broadcast, replica, mine, shares, random.nextInt(3));
      for (String stage : List.of("s1", "s2", "s3")) {
        int seated = replicas.stream().mapToInt(r -> used.get(r).getOrDefault(stage, 0)).sum();
        assertThat(seated).as("viewers on %s at step %d", stage, step).isLessThanOrEqualTo(50);
        assertThat(AudienceReports.heldSeats(broadcast.getStatus(), NOW, null).getOrDefault(stage, 0))
            .as("seats held on %s at step %d", stage, step).isLessThanOrEqualTo(50);
      }
    }
  }

  static LiveBroadcast broadcast(int perStage, String... stageIds) {
    LiveBroadcast broadcast = new LiveBroadcast();
    LiveBroadcastSpec spec = new LiveBroadcastSpec();
    spec.setViewersPerStage(perStage);
    broadcast.setSpec(spec);
    LiveBroadcastStatus status = new LiveBroadcastStatus();
    List<LiveBroadcastStatus.StageStatus> stages = new ArrayList<>();
    for (String id : stageIds) {
      stages.add(KubeFixture.active(id));
    }
    status.setStages(stages);
    status.setAudience(new HashMap<>());
    broadcast.setStatus(status);
    return broadcast;
  }

  static void report(LiveBroadcast broadcast, String replica, Map<String, Integer> viewers,
      Map<String, Integer> seats, int waiting) {
    AudienceReport report = new AudienceReport(new HashMap<>(viewers), NOW.toString());
    report.setSeats(new HashMap<>(seats));
    report.setWaiting(waiting);
    broadcast.getStatus().getAudience().put(replica, report);
  }
}
