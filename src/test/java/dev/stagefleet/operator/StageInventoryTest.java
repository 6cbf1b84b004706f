package dev.stagefleet.operator;

import dev.stagefleet.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class StageInventoryTest {
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  final InMemoryIvs ivs = new InMemoryIvs("us-east-1");
  final StageInventory inventory = new StageInventory("us-east-1", ivs, clock, Duration.ofSeconds(5));

  static LiveBroadcast owner(String uid) {
    var lb = new LiveBroadcast();
    lb.setMetadata(new ObjectMetaBuilder().withNamespace("ns").withName("show").withUid(uid).build());
    return lb;
  }

  @Test
  void listsStagesAtMostOncePerRefreshIntervalHoweverManyAsk() {
    for (int i = 0; i < 20; i++) {
      inventory.view();
    }
    assertThat(ivs.calls("ListStages")).isEqualTo(1);
    clock.advance(Duration.ofSeconds(5));
    inventory.view();
    inventory.view();
    assertThat(ivs.calls("ListStages")).isEqualTo(2);
  }

  @Test
  void keepsOnlyStageFleetStagesAndTellsOwnersAndClustersApart() {
    var mine = ivs.put("a", StageTags.of("c1", owner("u1")));
    var sibling = ivs.put("b", StageTags.of("c1", owner("u2")));
    var otherCluster = ivs.put("c", StageTags.of("c2", owner("u1")));
    ivs.put("unmanaged", Map.of("team", "video"));
    var view = inventory.view();
    assertThat(view.stages()).hasSize(3);
    assertThat(view.ownedBy("c1", "u1")).extracting(IvsService.Stage::arn).containsExactly(mine.arn());
    assertThat(view.ofCluster("c1")).extracting(IvsService.Stage::arn)
        .containsExactlyInAnyOrder(mine.arn(), sibling.arn());
    assertThat(view.ofCluster("c2")).extracting(IvsService.Stage::arn).containsExactly(otherCluster.arn());
  }

  @Test
  void ownCreatesAndDeletesShowAtOnceAndSurviveALaggingListing() {
    inventory.view();
    var created = new IvsService.Stage("arn:aws:ivs:us-east-1:1:stage/new", "n", StageTags.of("c1", owner("u1")),
        null, null);
    inventory.recordCreated(created);
    var listed = ivs.put("old", StageTags.of("c1", owner("u1")));
    inventory.recordDeleted(listed.arn());
    assertThat(inventory.view().stages()).containsOnlyKeys(created.arn());

    clock.advance(Duration.ofSeconds(5));
    // IVS's listing does not show the new stage yet and still shows the deleted one
    assertThat(inventory.view().stages()).containsOnlyKeys(created.arn());

    clock.advance(StageInventory.PIN.plusSeconds(1));
    assertThat(inventory.view().stages()).as("after the pin, IVS's listing wins").containsOnlyKeys(listed.arn());
  }

  @Test
  void aFailedSweepIsReportedAndNotRetriedBeforeTheInterval() {
    ivs.outage(true);
    assertThatThrownBy(inventory::view).isInstanceOf(IvsException.Unavailable.class);
    assertThatThrownBy(inventory::view).isInstanceOf(IvsException.Unavailable.class);
    assertThat(ivs.calls("ListStages")).isEqualTo(1);
    ivs.outage(false);
    clock.advance(Duration.ofSeconds(5));
    assertThat(inventory.view().stages()).isEmpty();
  }

  @Test
  void createsOfABroadcastWaitForASweepAfterAnAnswered5xx() {
    inventory.view();
    clock.advance(Duration.ofSeconds(1));
    inventory.markUncertain("u1", "ns-show-abc", false);
    assertThat(inventory.createsAllowed("u1")).isFalse();
    assertThat(inventory.createsAllowed("u2")).as("other broadcasts are not affected").isTrue();
    inventory.view();
    assertThat(inventory.createsAllowed("u1")).as("no sweep yet").isFalse();
    clock.advance(Duration.ofSeconds(5));
    inventory.view();
    assertThat(inventory.createsAllowed("u1")).isTrue();
  }

  @Test
  void anUnansweredCreateIsResolvedWhenItsStageShowsUp() {
    inventory.view();
    inventory.markUncertain("u1", "ns-show-abc", true);
    clock.advance(Duration.ofSeconds(5));
    inventory.view();
    assertThat(inventory.createsAllowed("u1")).as("IVS may still be making it").isFalse();
    // the request IVS was still working on lands
    var late = ivs.put("ns-show-abc", StageTags.of("c1", owner("u1")));
    clock.advance(Duration.ofSeconds(5));
    assertThat(inventory.view().ownedBy("c1", "u1")).extracting(IvsService.Stage::arn).containsExactly(late.arn());
    assertThat(inventory.createsAllowed("u1")).isTrue();
  }

  @Test
  void anUnansweredCreateThatNeverLandsIsResolvedOnceItCanNoLongerTakeEffect() {
    inventory.view();
    inventory.markUncertain("u1", "ns-show-abc", true);
    // another broadcast's stage with that name does not resolve it
    ivs.put("ns-show-abc", StageTags.of("c1", owner("u2")));
    for (int i = 0; i < 12; i++) {
      clock.advance(Duration.ofSeconds(5));
      inventory.view();
      assertThat(inventory.createsAllowed("u1")).isFalse();
    }
    clock.advance(Duration.ofSeconds(5));
    inventory.view();
    assertThat(inventory.createsAllowed("u1")).isTrue();
  }

  @Test
  void releasedStagesStayOutOfTheViewEvenWhileStillListedWithOurTags() {
    var retained = ivs.put("kept", StageTags.of("c1", owner("u1")));
    inventory.recordCreated(retained);
    inventory.release(retained.arn());
    clock.advance(Duration.ofSeconds(5));
    assertThat(inventory.view().stages()).isEmpty();
  }

  @Test
  void countsDeletions() {
    inventory.recordDeleted("arn:a");
    inventory.recordDeleted("arn:b");
    assertThat(inventory.deletions()).isEqualTo(2);
  }

  @Test
  void concurrentReadersShareOneSweep() throws Exception {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread t = new Thread(inventory::view);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(ivs.calls("ListStages")).isEqualTo(1);
  }
}
