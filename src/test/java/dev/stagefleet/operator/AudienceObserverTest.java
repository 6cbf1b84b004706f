package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

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
}
