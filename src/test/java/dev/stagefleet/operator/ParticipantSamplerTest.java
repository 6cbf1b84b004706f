package dev.stagefleet.operator;

import dev.stagefleet.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

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
    sampler.track("one", ivs, List.of("a", "b"));
    sampler.track("two", ivs, List.of("c"));
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
    sampler.track("one", ivs, List.of("a"));
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
  void doesNotResampleAStageSoonerThanTheMinimumInterval() {
    var sampler = new ParticipantSampler(clock, new CallBudget(clock, 100));
    sampler.track("one", ivs, List.of("a"));
    sampler.sampleDue();
    sampler.sampleDue();
    assertThat(ivs.calls("ListParticipants")).isEqualTo(1);
    clock.advance(ParticipantSampler.MIN_INTERVAL);
    sampler.sampleDue();
    assertThat(ivs.calls("ListParticipants")).isEqualTo(2);
  }
}
