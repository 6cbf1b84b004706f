package dev.stagefleet.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RateQuotaBucketsTest {
  private final AtomicLong nanos = new AtomicLong();
  private final EmulatorQuotas quotas = new EmulatorQuotas();
  private final RateQuotaBuckets buckets = new RateQuotaBuckets(quotas, nanos::get);

  @Test
  void aRateBelowOneCallASecondStillAllowsACallEachPeriod() {
    quotas.rate("GetStage", 0.5);

    assertThat(buckets.tryAcquire("GetStage")).isTrue();
    assertThat(buckets.tryAcquire("GetStage")).isFalse();
    advance(Duration.ofMillis(1900));
    assertThat(buckets.tryAcquire("GetStage")).isFalse();
    advance(Duration.ofMillis(100));
    assertThat(buckets.tryAcquire("GetStage")).isTrue();
    assertThat(buckets.tryAcquire("GetStage")).isFalse();
  }

  @Test
  void aRateAllowsOneSecondsBurstThenRefillsAtThatRate() {
    quotas.rate("CreateStage", 5);

    for (int i = 0; i < 5; i++) {
      assertThat(buckets.tryAcquire("CreateStage")).isTrue();
    }
    assertThat(buckets.tryAcquire("CreateStage")).isFalse();
    advance(Duration.ofMillis(200));
    assertThat(buckets.tryAcquire("CreateStage")).isTrue();
    assertThat(buckets.tryAcquire("CreateStage")).isFalse();
  }

  private void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }
}
