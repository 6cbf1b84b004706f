package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParticipantSamplerTest {
  final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
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
  void samplesWithinTheBudgetLeastRecentlySampledFirst() {
    var sampler = new ParticipantSampler(clock, new CallBudget(clock, 2));
    ivs.subscribers("a", 4);
    ivs.subscribers("b", 5);
    ivs.subscribers("c", 6);
    assertThat(sampler.sample(ivs, List.of("a", "b", "c"))).containsOnly(Map.entry("a", 4), Map.entry("b", 5));
    assertThat(ivs.calls("ListParticipants")).isEqualTo(2);

    clock.advance(Duration.ofSeconds(3));
    assertThat(sampler.sample(ivs, List.of("a", "b", "c"))).containsKeys("a", "b", "c");
    assertThat(ivs.calls("ListParticipants")).as("c first, then the oldest of a and b").isEqualTo(4);
  }

  @Test
  void forgetsSamplesOnceStale() {
    var sampler = new ParticipantSampler(clock, new CallBudget(clock, 1));
    ivs.subscribers("a", 4);
    assertThat(sampler.sample(ivs, List.of("a"))).containsEntry("a", 4);
    clock.advance(ParticipantSampler.FRESH_FOR);
    ivs.outage(true);
    assertThat(sampler.sample(ivs, List.of("a"))).as("stale and not resampled").isEmpty();
  }

  @Test
  void doesNotResampleAStageSoonerThanTheMinimumInterval() {
    var sampler = new ParticipantSampler(clock, new CallBudget(clock, 100));
    sampler.sample(ivs, List.of("a"));
    sampler.sample(ivs, List.of("a"));
    assertThat(ivs.calls("ListParticipants")).isEqualTo(1);
    clock.advance(ParticipantSampler.MIN_INTERVAL);
    sampler.sample(ivs, List.of("a"));
    assertThat(ivs.calls("ListParticipants")).isEqualTo(2);
  }
}
