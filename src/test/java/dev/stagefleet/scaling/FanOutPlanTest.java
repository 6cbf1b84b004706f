package dev.stagefleet.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.FanOut;
import dev.stagefleet.scaling.FanOutPlan.Feed;
import dev.stagefleet.scaling.FanOutPlan.Stage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FanOutPlanTest {

  /** A broadcast whose stages come and go, re-planned after every change as the operator does. */
  static final class Broadcast {
    final List<String> ids = new ArrayList<>();
    final Set<String> draining = new HashSet<>();
    final Set<String> failing = new HashSet<>();
    Map<String, Feed> feeds = new LinkedHashMap<>();
    int next;

    String add() {
      String id = "s" + next++;
      ids.add(id);
      return id;
    }

    Map<String, Feed> plan() {
      List<Stage> stages = ids.stream()
          .map(id -> new Stage(id, !draining.contains(id), feeds.get(id), !failing.contains(id))).toList();
      feeds = FanOutPlan.assign(FanOut.REPLICATED, stages);
      return feeds;
    }

    long origins() {
      return feeds.values().stream().filter(Feed::origin).count();
    }
  }

  static Broadcast withStages(int n) {
    Broadcast b = new Broadcast();
    for (int i = 0; i < n; i++) {
      b.add();
      b.plan();
    }
    return b;
  }

  @Test
  void oneStageIsItsOwnOrigin() {
    assertThat(withStages(1).feeds).containsExactly(Map.entry("s0", Feed.asOrigin()));
  }

  @Test
  void sixStagesNeedOneOriginFeedingFive() {
    Broadcast b = withStages(6);
    assertThat(b.feeds.get("s0")).isEqualTo(Feed.asOrigin());
    assertThat(b.feeds).containsEntry("s1", Feed.replicaOf("s0")).containsEntry("s5", Feed.replicaOf("s0"));
  }

  @Test
  void theSeventhStageOpensASecondOrigin() {
    Broadcast b = withStages(7);
    assertThat(b.origins()).isEqualTo(2);
    assertThat(b.feeds.get("s6")).isEqualTo(Feed.asOrigin());
  }

  @Test
  void directModeMakesEveryStageAnOrigin() {
    var feeds = FanOutPlan.assign(FanOut.DIRECT, IntStream.range(0, 8).mapToObj(i -> Stage.fresh("s" + i)).toList());
    assertThat(feeds.values()).hasSize(8).containsOnly(Feed.asOrigin());
  }

  @Test
  void aStageWhoseReplicationFailsBecomesAnOriginAndTheOthersStay() {
    Broadcast b = withStages(6);
    Map<String, Feed> before = new HashMap<>(b.feeds);
    b.failing.add("s3");
    b.plan();
    assertThat(b.feeds.get("s3")).isEqualTo(Feed.asOrigin());
    for (String id : List.of("s1", "s2", "s4", "s5")) {
      assertThat(b.feeds.get(id)).isEqualTo(before.get(id));
    }
  }

  @Test
  void aStageWhoseReplicationWorksAgainGoesBackToBeingAReplica() {
    Broadcast b = withStages(4);
    b.failing.add("s2");
    b.plan();
    b.failing.remove("s2");
    b.plan();
    assertThat(b.feeds.get("s2")).isEqualTo(Feed.replicaOf("s0"));
    assertThat(b.origins()).isEqualTo(1);
  }

  @Test
  void theReplicasOfADeletedOriginFindAnotherOrigin() {
    Broadcast b = withStages(8);
    b.ids.remove("s0");
    b.plan();
    assertInvariants(b, Map.of());
    assertThat(b.origins()).isEqualTo(2);
    assertThat(b.feeds.values()).allSatisfy(f -> assertThat(f.source()).isNotEqualTo("s0"));
  }

  @Test
  void aDrainingOriginKeepsFeedingItsReplicas() {
    Broadcast b = withStages(6);
    b.draining.add("s0");
    b.plan();
    assertThat(b.feeds).containsEntry("s0", Feed.asOrigin()).containsEntry("s1", Feed.replicaOf("s0"));
  }

  @Test
  void newReplicasPreferAnActiveOriginToADrainingOne() {
    Broadcast b = withStages(8);
    b.draining.add("s0");
    b.ids.remove("s1");
    b.plan();
    String added = b.add();
    b.plan();
    assertThat(b.feeds.get(added)).isEqualTo(Feed.replicaOf("s6"));
  }

  @Test
  void anOriginLeftWithoutReplicasBecomesAReplicaWhereThereIsRoom() {
    Broadcast b = withStages(7);
    b.ids.removeAll(List.of("s1", "s2"));
    b.plan();
    assertThat(b.origins()).isEqualTo(1);
    assertThat(b.feeds.get("s6")).isEqualTo(Feed.replicaOf("s0"));
  }

  @Test
  void everyStageCountsForTheOriginLimitOnlyOnce() {
    for (int n = 1; n <= 30; n++) {
      Broadcast b = withStages(n);
      assertThat(b.origins()).as("origins for %d stages", n).isEqualTo(FanOutPlan.originsFor(n));
      assertInvariants(b, Map.of());
    }
  }

  static LongStream seeds() {
    return LongStream.range(0, 300);
  }

  /** Random add, drain, delete, fail and recover steps: the invariants hold after every one. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomScalingKeepsEveryInvariant(long seed) {
    Random random = new Random(seed);
    Broadcast b = new Broadcast();
    b.add();
    b.plan();
    boolean onlyAdded = true;
    for (int step = 0; step < 60; step++) {
      Map<String, Feed> before = new LinkedHashMap<>(b.feeds);
      int roll = random.nextInt(10);
      if (roll < 5 && b.ids.size() < 40) {
        b.add();
      } else if (roll < 7 && b.ids.size() > 1) {
        b.draining.add(b.ids.get(random.nextInt(b.ids.size())));
        onlyAdded = false;
      } else if (roll < 9 && b.ids.size() > 1) {
        List<String> deletable = b.ids.stream().filter(b.draining::contains).toList();
        String gone = deletable.isEmpty() ? b.ids.get(random.nextInt(b.ids.size()))
            : deletable.get(random.nextInt(deletable.size()));
        b.ids.remove(gone);
        b.draining.remove(gone);
        b.failing.remove(gone);
        onlyAdded = false;
      } else if (!b.ids.isEmpty()) {
        String id = b.ids.get(random.nextInt(b.ids.size()));
        if (!b.failing.remove(id)) {
          b.failing.add(id);
        }
        onlyAdded = false;
      }
      b.plan();
      assertInvariants(b, before);
      if (onlyAdded) {
        assertThat(b.origins()).as("origins after only adding, seed %d", seed)
            .isEqualTo(FanOutPlan.originsFor(b.ids.size()));
      }
      if (b.failing.isEmpty()) {
        assertThat(b.origins()).as("origins, seed %d step %d", seed, step)
            .isEqualTo(fewestOriginsWithoutMovingAReplica(before, b));
      }
    }
  }

  /** ≤ 5 per origin, no chains, every stage fed, and no healthy replica moved since {@code before}. */
  static void assertInvariants(Broadcast b, Map<String, Feed> before) {
    assertThat(b.feeds.keySet()).containsExactlyElementsOf(b.ids);
    Map<String, Integer> perOrigin = new HashMap<>();
    b.feeds.forEach((id, feed) -> {
      if (!feed.origin()) {
        assertThat(b.feeds.get(feed.source())).as("source of %s", id).isEqualTo(Feed.asOrigin());
        perOrigin.merge(feed.source(), 1, Integer::sum);
      }
    });
    assertThat(perOrigin.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(FanOutPlan.REPLICAS_PER_ORIGIN));
    b.failing.forEach(id -> assertThat(b.feeds.get(id)).as("failing %s", id).isEqualTo(Feed.asOrigin()));
    before.forEach((id, feed) -> {
      boolean healthy = !feed.origin() && b.ids.contains(id) && !b.failing.contains(id)
          && b.ids.contains(feed.source());
      if (healthy) {
        assertThat(b.feeds.get(id)).as("healthy replica %s", id).isEqualTo(feed);
      }
    });
  }

  /**
   * Written apart from the plan: origins keeping a healthy replica must stay; every other stage either fits in
   * their free places or needs a new origin per six.
   */
  static long fewestOriginsWithoutMovingAReplica(Map<String, Feed> before, Broadcast b) {
    Map<String, Long> kept = new HashMap<>();
    before.forEach((id, feed) -> {
      if (!feed.origin() && b.ids.contains(id) && b.ids.contains(feed.source())) {
        kept.merge(feed.source(), 1L, Long::sum);
      }
    });
    long keptReplicas = kept.values().stream().mapToLong(Long::longValue).sum();
    long free = b.ids.size() - kept.size() - keptReplicas;
    long room = kept.values().stream().mapToLong(n -> FanOutPlan.REPLICAS_PER_ORIGIN - n).sum();
    return kept.size() + Math.max(0, (free - room + FanOutPlan.REPLICAS_PER_ORIGIN) / (FanOutPlan.REPLICAS_PER_ORIGIN + 1));
  }
}
