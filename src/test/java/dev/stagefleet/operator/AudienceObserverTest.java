package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AudienceObserverTest {
  static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

  static LiveBroadcastStatus reports(Map<String, AudienceReport> audience) {
    var status = new LiveBroadcastStatus();
    status.setAudience(new LinkedHashMap<>(audience));
    return status;
  }

  @Test
  void sumsFreshReportsAcrossGatewayReplicas() {
    var status = reports(Map.of(
        "gw-1", new AudienceReport(Map.of("s1", 10, "s2", 3), "2026-01-01T09:59:55Z"),
        "gw-2", new AudienceReport(Map.of("s1", 5), "2026-01-01T10:59:50+01:00")));
    assertThat(AudienceObserver.reportedViewers(status, NOW)).containsOnly(Map.entry("s1", 15), Map.entry("s2", 3));
  }

  @Test
  void ignoresReportsOlderThanThirtySecondsAndUnreadableOnes() {
    var status = reports(Map.of(
        "fresh", new AudienceReport(Map.of("s1", 1), "2026-01-01T09:59:30Z"),
        "stale", new AudienceReport(Map.of("s1", 100), "2026-01-01T09:59:29Z"),
        "garbled", new AudienceReport(Map.of("s1", 100), "yesterday"),
        "undated", new AudienceReport(Map.of("s1", 100), null)));
    assertThat(AudienceObserver.reportedViewers(status, NOW)).containsOnly(Map.entry("s1", 1));
  }

  @Test
  void noStatusMeansNoViewers() {
    assertThat(AudienceObserver.reportedViewers(null, NOW)).isEmpty();
    assertThat(AudienceObserver.reportedViewers(new LiveBroadcastStatus(), NOW)).isEmpty();
  }

  @Test
  void theLargerOfReportAndSampleCounts() {
    assertThat(AudienceObserver.observed(10, 4)).isEqualTo(10);
    assertThat(AudienceObserver.observed(2, 9)).isEqualTo(9);
    assertThat(AudienceObserver.observed(null, 3)).isEqualTo(3);
    assertThat(AudienceObserver.observed(null, null)).isZero();
  }
}
