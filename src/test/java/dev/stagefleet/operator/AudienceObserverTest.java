package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class AudienceObserverTest {
  @Test
  void theLargerOfReportAndSampleCounts() {
    assertThat(AudienceObserver.observed(10, 4)).isEqualTo(10);
    assertThat(AudienceObserver.observed(2, 9)).isEqualTo(9);
    assertThat(AudienceObserver.observed(null, 3)).isEqualTo(3);
    assertThat(AudienceObserver.observed(null, null)).isZero();
  }

  @Test
  void aSampleTakenBeforeEveryFreshReportDoesNotOutweighThem() {
    Instant reported = Instant.parse("2026-12-02T10:00:10Z");
    assertThat(AudienceObserver.observed(20, reported, 30, reported.minusSeconds(5)))
        .as("every gateway counted again since IVS was asked").isEqualTo(20);
    assertThat(AudienceObserver.observed(20, reported, 30, reported.plusSeconds(1))).as("a newer sample").isEqualTo(30);
    assertThat(AudienceObserver.observed(null, null, 30, reported)).as("no fresh report").isEqualTo(30);
    assertThat(AudienceObserver.observed(20, reported, null, null)).isEqualTo(20);
  }
}
