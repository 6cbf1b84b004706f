package dev.stagefleet.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class AudienceReportsTest {
  static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

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
    assertThat(AudienceReports.freshViewers(status, NOW)).containsOnly(Map.entry("s1", 15), Map.entry("s2", 3));
  }

  @Test
  void aReplicaCanLeaveItsOwnReportOut() {
    var status = reports(Map.of(
        "gw-1", new AudienceReport(Map.of("s1", 10, "s2", 3), "2026-01-01T09:59:55Z"),
        "gw-2", new AudienceReport(Map.of("s1", 5), "2026-01-01T09:59:55Z")));
    assertThat(AudienceReports.freshViewers(status, NOW, "gw-1")).containsOnly(Map.entry("s1", 5));
  }

  @Test
  void ignoresReportsOlderThanThirtySecondsAndUnreadableOnes() {
    var status = reports(Map.of(
        "fresh", new AudienceReport(Map.of("s1", 1), "2026-01-01T09:59:30Z"),
        "stale", new AudienceReport(Map.of("s1", 100), "2026-01-01T09:59:29Z"),
        "garbled", new AudienceReport(Map.of("s1", 100), "yesterday"),
        "undated", new AudienceReport(Map.of("s1", 100), null)));
    assertThat(AudienceReports.freshViewers(status, NOW)).containsOnly(Map.entry("s1", 1));
  }

  @Test
  void zeroNegativeAndUnnamedCountsAddNothing() {
    Map<String, Integer> viewers = new LinkedHashMap<>();
    viewers.put("s1", 0);
    viewers.put("s2", -4);
    viewers.put(null, 7);
    viewers.put("s3", null);
    var status = reports(Map.of("gw-1", new AudienceReport(viewers, "2026-01-01T09:59:55Z")));
    assertThat(AudienceReports.freshViewers(status, NOW)).isEmpty();
  }

  @Test
  void noStatusMeansNoViewers() {
    assertThat(AudienceReports.freshViewers(null, NOW)).isEmpty();
    assertThat(AudienceReports.freshViewers(new LiveBroadcastStatus(), NOW)).isEmpty();
  }

  @Test
  void aReportPatchSetsTheReplicasCountsAndTimeToTheSecond() throws Exception {
    JsonNode report = JSON.readTree(AudienceReports.reportPatch("gw-1", Map.of("s1", 4), 0, List.of(),
        Instant.parse("2026-01-01T10:00:07.912Z"))).path("status").path("audience").path("gw-1");
    assertThat(report.path("viewers").path("s1").asInt()).isEqualTo(4);
    assertThat(report.path("reportedAt").asText()).isEqualTo("2026-01-01T10:00:07Z");
  }

  @Test
  void aReportPatchRemovesStagesThatWereReportedBeforeButAreGoneNow() throws Exception {
    JsonNode viewers = JSON.readTree(AudienceReports.reportPatch("gw-1", Map.of("s2", 1), 0, List.of("s1", "s2"), NOW))
        .path("status").path("audience").path("gw-1").path("viewers");
    assertThat(viewers.has("s1")).isTrue();
    assertThat(viewers.get("s1").isNull()).as("null removes s1 in a merge patch").isTrue();
    assertThat(viewers.path("s2").asInt()).isEqualTo(1);
  }

  @Test
  void whatAPatchWritesReadsBackAsAFreshReportUntilItGoesStale() throws Exception {
    String patch = AudienceReports.reportPatch("gw-1", Map.of("s1", 3), 0, List.of(), NOW);
    AudienceReport report = JSON.treeToValue(JSON.readTree(patch).path("status").path("audience").path("gw-1"),
        AudienceReport.class);
    assertThat(AudienceReports.isFresh(report, NOW.plus(AudienceReports.STALE_AFTER))).isTrue();
    assertThat(AudienceReports.isFresh(report, NOW.plus(AudienceReports.STALE_AFTER).plusSeconds(1))).isFalse();
  }

  @Test
  void waitingViewersAreSummedOverFreshReportsOnly() throws Exception {
    AudienceReport a = JSON.treeToValue(JSON.readTree(AudienceReports.reportPatch("gw-1", Map.of(), 7, List.of(), NOW))
        .path("status").path("audience").path("gw-1"), AudienceReport.class);
    AudienceReport b = new AudienceReport(Map.of(), "2026-01-01T09:59:59Z");
    b.setWaiting(3);
    AudienceReport stale = new AudienceReport(Map.of(), NOW.minus(AudienceReports.STALE_AFTER).minusSeconds(1).toString());
    stale.setWaiting(100);
    AudienceReport old = new AudienceReport(Map.of("s1", 2), "2026-01-01T09:59:59Z");

    var status = reports(Map.of("gw-1", a, "gw-2", b, "gw-3", stale, "gw-4", old));

    assertThat(AudienceReports.freshWaiting(status, NOW)).isEqualTo(10);
    assertThat(AudienceReports.freshWaiting(null, NOW)).isZero();
  }

  @Test
  void aWaiterTakenOverFromAnotherReplicaIsTakenOffThatReplicasWaitingNeverBelowZero() throws Exception {
    // gw-2 took 2 waiters over from gw-1 (which still counts them) and 5 from gw-3 (which counts only 1 any more)
    AudienceReport adopter = waitingReport(NOW, 4, Map.of("gw-1", 2, "gw-3", 5));
    AudienceReport origin = waitingReport(NOW, 6, Map.of());
    AudienceReport forgetful = waitingReport(NOW, 1, Map.of());
    var status = reports(Map.of("gw-1", origin, "gw-2", adopter, "gw-3", forgetful));
    assertThat(AudienceReports.freshWaiting(status, NOW)).as("6 - 2 + 4 + max(0, 1 - 5)").isEqualTo(8);

    // a stale origin counts nothing, so nothing is taken off it; a replica's own name in its map is ignored
    AudienceReport staleOrigin = waitingReport(NOW.minus(AudienceReports.STALE_AFTER).minusSeconds(1), 6, Map.of());
    AudienceReport self = waitingReport(NOW, 3, Map.of("gw-2", 3, "gw-1", 1));
    assertThat(AudienceReports.freshWaiting(reports(Map.of("gw-1", staleOrigin, "gw-2", self)), NOW)).isEqualTo(3);
  }

  /** A report as the gateway writes it (through the merge patch), with waiters and waiters taken over. */
  static AudienceReport waitingReport(Instant at, int waiting, Map<String, Integer> waitingAdopted) throws Exception {
    String patch = AudienceReports.reportPatch("gw", new AudienceReports.Report(Map.of(), waiting, Map.of(), Map.of(),
        waitingAdopted), AudienceReports.Report.EMPTY, at, null);
    return JSON.treeToValue(JSON.readTree(patch).path("status").path("audience").path("gw"), AudienceReport.class);
  }

  @Test
  void aWithdrawalRemovesTheReplicasReport() throws Exception {
    JsonNode audience = JSON.readTree(AudienceReports.withdrawalPatch("gw-1")).path("status").path("audience");
    assertThat(audience.has("gw-1")).isTrue();
    assertThat(audience.get("gw-1").isNull()).isTrue();
  }
}
