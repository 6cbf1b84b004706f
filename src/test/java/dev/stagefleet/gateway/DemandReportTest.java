package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.KubeFixture.active;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Demand that would change the operator's decision reaches the resource at once, not on the next report tick: the
 * replicas here tick every 30 s, so only the urgent write can satisfy the waits below.
 */
@Tag("apiserver")
class DemandReportTest extends GatewayTestBase {
  private static final Duration TICK = Duration.ofSeconds(30);
  /** Far below the tick: a report seen within this was written because of the join, not by the timer. */
  private static final Duration WELL_BEFORE_THE_TICK = Duration.ofSeconds(10);

  static GatewayServer slowReporter(String replicaId) {
    return startGateway(testSettings().toBuilder().replicaId(replicaId).audienceReportInterval(TICK)
        .audienceRefreshInterval(Duration.ofSeconds(60)).build());
  }

  static AudienceReport report(String name, String replica) {
    LiveBroadcast broadcast = kube.get(NS, name);
    return broadcast.getStatus() == null ? null : broadcast.getStatus().audienceOrEmpty().get(replica);
  }

  static boolean reports(String name, String replica, Map<String, Integer> viewers, int waiting) {
    AudienceReport report = report(name, replica);
    return report != null && viewers.equals(report.getViewers() == null ? Map.of() : report.getViewers())
        && (report.getWaiting() == null ? 0 : report.getWaiting()) == waiting;
  }

  @Test
  void aLineFormingIsReportedAtOnceWithTheViewersPlacedBeforeIt() {
    String name = broadcast("line", 1, 3);
    stages(name, active("ln-a"));
    try (var replica = slowReporter("replica-line")) {
      stagesOn(replica, name, active("ln-a"));
      var client = new GatewayClient(replica.port());
      // the first join waits while it claims the stage's seat (a report of its own, counting it as waiting)
      assertThat(client.post(base(name) + "/viewers", null).status()).isEqualTo(201);

      var held = client.post(base(name) + "/viewers", null, "Prefer", "wait=1");

      assertThat(held.status()).as(held.body()).isEqualTo(202);
      await().atMost(WELL_BEFORE_THE_TICK).until(() -> reports(name, "replica-line", Map.of("ln-a", 1), 1));
    }
  }

  @Test
  void placedViewersAskingForAnotherStageAreReportedAtOnceAndDemandWithinItWaitsForTheTick() {
    // 10 viewers a stage at 80 % fill: the 9th viewer asks for a second stage, the 17th for a third
    String name = broadcast("ahead", 10, 5);
    stages(name, active("ah-a"), active("ah-b"));
    try (var replica = slowReporter("replica-ahead")) {
      stagesOn(replica, name, active("ah-a"), active("ah-b"));
      var client = new GatewayClient(replica.port());
      for (int i = 0; i < 9; i++) {
        assertThat(client.post(base(name) + "/viewers", null).status()).isEqualTo(201);
      }

      await().atMost(WELL_BEFORE_THE_TICK).until(() -> reports(name, "replica-ahead", Map.of("ah-a", 9), 0));

      long written = ViewerApiTest.reportsWritten(replica);
      for (int i = 0; i < 5; i++) {
        assertThat(client.post(base(name) + "/viewers", null).status()).isEqualTo(201);
      }
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
          .until(() -> ViewerApiTest.reportsWritten(replica) == written);
      assertThat(report(name, "replica-ahead").getViewers()).as("14 viewers still ask for 2 stages")
          .isEqualTo(Map.of("ah-a", 9));
    }
  }
}
