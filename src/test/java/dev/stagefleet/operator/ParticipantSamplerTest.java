package dev.stagefleet.operator;

import dev.stagefleet.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.ivs.IvsService.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ParticipantSamplerTest {
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  final InMemoryIvs ivs = new InMemoryIvs("us-east-1");

  @Test
  void theBudgetAllowsItsRateOnAverageAndOneSecondsBurst() {
    var budget = new CallBudget(clock, 2);
    assertThat(budget.tryAcquire()).isTrue();
    assertThat(budget.tryAcquire()).isTrue();
    assertThat(budget.tryAcquire()).isFalse();
    clock.advance(Duration.ofMillis(500));
    assertThat(budget.tryAcquire()).isTrue();
    assertThat(budget.tryAcquire()).isFalse();
    clock.advance(Duration.ofSeconds(10));
    int granted = 0;
    while (budget.tryAcquire()) {
      granted++;
    }
    assertThat(granted).as("bursts are capped").isEqualTo(2);
  }

  @Test
  void aZeroBudgetNeverSamples() {
    assertThat(new CallBudget(clock, 0).tryAcquire()).isFalse();
  }

  @Test
  void samplesWithinTheBudgetNeverSampledFirstThenLeastRecently() {
    var sampler = new ParticipantSampler(clock, new CallBudget(clock, 2));
    ivs.subscribers("a", 4);
    ivs.subscribers("b", 5);
    ivs.subscribers("c", 6);
    sampler.track("one", ivs, stages("a", "b"));
    sampler.track("two", ivs, stages("c"));
    sampler.sampleDue();
    assertThat(ivs.calls("ListParticipants")).isEqualTo(2);
    clock.advance(Duration.ofMillis(500));
    sampler.sampleDue();
    assertThat(ivs.calls("ListParticipants")).isEqualTo(3);
    assertThat(sampler.fresh(List.of("a", "b"))).containsOnly(Map.entry("a", 4), Map.entry("b", 5));
    assertThat(sampler.fresh(List.of("c"))).containsOnly(Map.entry("c", 6));

    clock.advance(Duration.ofSeconds(2));
    ivs.subscribers("a", 40);
    sampler.sampleDue();
    assertThat(sampler.fresh(List.of("a"))).as("a was sampled longest ago").containsEntry("a", 40);
  }

  @Test
  void samplesGoStaleAndUntrackedStagesAreForgotten() {
    var sampler = new ParticipantSampler(clock, new CallBudget(clock, 1));
    ivs.subscribers("a", 4);
    sampler.track("one", ivs, stages("a"));
    sampler.sampleDue();
    assertThat(sampler.fresh(List.of("a"))).containsEntry("a", 4);
    clock.advance(ParticipantSampler.FRESH_FOR);
    ivs.outage(true);
    sampler.sampleDue();
    assertThat(sampler.fresh(List.of("a"))).as("stale, and resampling failed").isEmpty();

    ivs.outage(false);
    clock.advance(ParticipantSampler.MIN_INTERVAL);
    sampler.sampleDue();
    assertThat(sampler.fresh(List.of("a"))).containsEntry("a", 4);
    sampler.untrack("one");
    assertThat(sampler.fresh(List.of("a"))).isEmpty();
  }

  @Test
  void countsTheInventorysActiveSessionAndSpendsNothingOnStagesWithoutOne() {
    var sampler = new ParticipantSampler(clock, new CallBudget(clock, 1));
    ivs.subscribers("live", 7);
    sampler.track("one", ivs, List.of(new Stage("idle-1", "idle-1", Map.of(), null, null),
        new Stage("idle-2", "idle-2", Map.of(), null, ""), stage("live")));

    sampler.sampleDue();

    // the idle stages took no call and none of the one-call budget, so the live stage was sampled too
    assertThat(sampler.fresh(List.of("idle-1", "idle-2", "live")))
        .containsOnly(Map.entry("idle-1", 0), Map.entry("idle-2", 0), Map.entry("live", 7));
    assertThat(ivs.calls("ListParticipants")).isEqualTo(1);
    assertThat(ivs.sessionsCounted()).containsExactly("session-live");
    assertThat(ivs.calls("GetStage")).isZero();
  }

  @Test
  void doesNotResampleAStageSoonerThanTheMinimumInterval() {
    var sampler = new ParticipantSampler(clock, new CallBudget(clock, 100));
    sampler.track("one", ivs, stages("a"));
    sampler.sampleDue();
    sampler.sampleDue();
    assertThat(ivs.calls("ListParticipants")).isEqualTo(1);
    clock.advance(ParticipantSampler.MIN_INTERVAL);
    sampler.sampleDue();
    assertThat(ivs.calls("ListParticipants")).isEqualTo(2);
  }

  /** A stage as the inventory lists it, with a live session. */
  static List<Stage> stages(String... arns) {
    return java.util.Arrays.stream(arns).map(ParticipantSamplerTest::stage).toList();
  }

  static Stage stage(String arn) {
    return new Stage(arn, arn, Map.of(), null, "session-" + arn);
  }
}
