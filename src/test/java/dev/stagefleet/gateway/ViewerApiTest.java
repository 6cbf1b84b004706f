package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.GatewayClient.assertError;
import static dev.stagefleet.gateway.KubeFixture.active;
import static dev.stagefleet.gateway.KubeFixture.arn;
import static dev.stagefleet.gateway.KubeFixture.draining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("apiserver")
class ViewerApiTest extends GatewayTestBase {

  static JsonNode join(String name) {
    var reply = http.post(base(name) + "/viewers", null);
    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    return reply.json();
  }

  static Map<String, Integer> reported(String name, String replica) {
    LiveBroadcast broadcast = kube.get(NS, name);
    if (broadcast.getStatus() == null || broadcast.getStatus().getAudience() == null
        || broadcast.getStatus().getAudience().get(replica) == null) {
      return Map.of();
    }
    return broadcast.getStatus().getAudience().get(replica).getViewers();
  }

  static Map<String, Object> passClaims(String pass) {
    try {
      return com.nimbusds.jwt.SignedJWT.parse(pass).getJWTClaimsSet().getClaims();
    } catch (java.text.ParseException e) {
      throw new AssertionError("the presence pass is not a JWT: " + pass, e);
    }
  }

  static int waiting(String name, String replica) {
    LiveBroadcast broadcast = kube.get(NS, name);
    var report = broadcast.getStatus() == null ? null : broadcast.getStatus().audienceOrEmpty().get(replica);
    return report == null || report.getWaiting() == null ? 0 : report.getWaiting();
  }

  /** Waits until the gateway counts this many open presence sockets. */
  static void awaitPresenceSockets(int open) {
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.metrics().scrape()
        .contains("stagefleet_gateway_sockets{kind=\"presence\"} " + open + ".0"));
  }

  @Test
  void placesEachViewerOnTheFullestStageWithRoomAndReturnsItsToken() {
    String name = broadcast("pack", 2, 3);
    stages(name, active("pk-a"), active("pk-b"));
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonNode viewer = join(name);
      placed.add(viewer.path("stageId").asText());
      assertThat(viewer.path("stageArn").asText()).isEqualTo(arn(viewer.path("stageId").asText()));
      String presenceUrl = viewer.path("presenceUrl").asText();
      assertThat(presenceUrl).startsWith(base(name) + "/viewers/").endsWith("/presence");
      String pass = presenceUrl.substring((base(name) + "/viewers/").length(), presenceUrl.length() - 9);
      assertThat(passClaims(pass)).as("the presence pass names the viewer, its stage and the placing replica")
          .containsEntry("sub", viewer.path("viewerId").asText()).containsEntry("stage", viewer.path("stageId").asText())
          .containsEntry("rep", "replica-a");
      assertThat(viewer.path("expiresAt").asText()).isNotBlank();
      Map<String, Object> claims = verifiedClaims(viewer.path("token").asText());
      assertThat(claims).containsEntry("capabilities", Map.of("allow_subscribe", true))
          .containsEntry("resource", viewer.path("stageArn").asText())
          .containsEntry("jti", viewer.path("participantId").asText());
    }
    assertThat(placed).containsExactly("pk-a", "pk-a", "pk-b", "pk-b");

    var full = http.post(base(name) + "/viewers", null, "Prefer", "wait=1");
    assertThat(full.status()).as(full.body()).isEqualTo(202);
    assertThat(full.json().path("message").asText()).contains("another stage is being added");
  }

  @Test
  void aJoinWhileEveryStageIsFullIsHeldUntilTheNextStageIsActiveInsteadOfRefused() throws Exception {
    String name = broadcast("hold", 1, 3);
    stages(name, active("ho-a"));
    join(name);
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      // a client that knows nothing of waiting: its request is simply answered later
      Future<GatewayClient.Reply> held = client.submit(() -> http.post(base(name) + "/viewers", null));
      await().atMost(Duration.ofSeconds(5)).until(() -> waiting(name, "replica-a") == 1);
      assertThat(held.isDone()).isFalse();

      stages(name, active("ho-a"), active("ho-b"));

      var reply = held.get(10, TimeUnit.SECONDS);
      assertThat(reply.status()).as(reply.body()).isEqualTo(201);
      assertThat(reply.json().path("stageId").asText()).isEqualTo("ho-b");
      await().atMost(Duration.ofSeconds(5)).until(() -> waiting(name, "replica-a") == 0);
      assertThat(gateway.metrics().scrape()).containsPattern("stagefleet_gateway_viewer_wait_seconds_count [1-9]")
          .contains("stagefleet_gateway_viewers_waiting");
    } finally {
      client.shutdownNow();
    }
  }

  @Test
  void aClientThatAsksToWaitKeepsItsPlaceInLineAndIsCountedOnceAcrossItsRequests() {
    String name = broadcast("line", 1, 3);
    stages(name, active("li-a"));
    join(name);
    var first = http.post(base(name) + "/viewers", null, "Prefer", "wait=1");
    var second = http.post(base(name) + "/viewers", null, "Prefer", "wait=1");
    assertThat(first.status()).as(first.body()).isEqualTo(202);
    assertThat(first.header("Preference-Applied")).isEqualTo("wait=1");
    assertThat(first.json().path("position").asInt()).isEqualTo(1);
    assertThat(second.json().path("position").asInt()).isEqualTo(2);
    String waitId = first.json().path("waitId").asText();

    var again = http.post(base(name) + "/viewers", "{\"waitId\":\"" + waitId + "\"}", "Prefer", "wait=1");
    assertThat(again.status()).isEqualTo(202);
    assertThat(passClaims(again.json().path("waitId").asText())).as("the same waiter, signed again")
        .containsEntry("sub", passClaims(waitId).get("sub")).containsEntry("rep", "replica-a");
    assertThat(again.json().path("position").asInt()).as("its place is kept").isEqualTo(1);
    assertThat(again.json().path("waiting").asInt()).as("counted once").isEqualTo(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> waiting(name, "replica-a") == 2);

    stages(name, active("li-a"), active("li-b"));
    var placed = http.post(base(name) + "/viewers", "{\"waitId\":\"" + waitId + "\"}", "Prefer", "wait=5");
    assertThat(placed.status()).as(placed.body()).isEqualTo(201);
    assertThat(placed.json().path("stageId").asText()).isEqualTo("li-b");
    // the second client did not come back: it stops counting
    await().atMost(Duration.ofSeconds(15)).until(() -> waiting(name, "replica-a") == 0);
  }

  @Test
  void refusesAWaitIdItDidNotIssue() {
    String name = broadcast("badwait", 1, 3);
    stages(name, active("bw-a"));
    assertError(http.post(base(name) + "/viewers", "{\"waitId\":\"../etc\"}"), 400);
    join(name);
    String waitId = http.post(base(name) + "/viewers", null, "Prefer", "wait=1").json().path("waitId").asText();
    String[] parts = waitId.split("\\.");
    var forged = http.post(base(name) + "/viewers", "{\"waitId\":\"" + parts[0] + "." + parts[1]
        + ".Zm9yZ2Vk\"}", "Prefer", "wait=1");
    assertError(forged, 400);
    assertThat(forged.json().path("message").asText()).contains("waitId");
    String other = broadcast("badwait-other", 1, 3);
    stages(other, active("bw-o"));
    assertError(http.post(base(other) + "/viewers", "{\"waitId\":\"" + waitId + "\"}"), 400);
  }

  @Test
  void aWaitIdOfTheFormatBeforeWaitPassesIsAFreshJoin() {
    String name = broadcast("oldwait", 1, 3);
    stages(name, active("ow-a"));
    var placed = http.post(base(name) + "/viewers", "{\"waitId\":\"w-Zq3_xYw8bE0tNQ1a\"}", "Prefer", "wait=1");
    assertThat(placed.status()).as(placed.body()).isEqualTo(201);
  }

  @Test
  void prefersTheStageTheOperatorSeesFullest() {
    String name = broadcast("fullest", 10, 3);
    stages(name, KubeFixture.stage("fu-a", "Active", 2), KubeFixture.stage("fu-b", "Active", 7));
    assertThat(join(name).path("stageId").asText()).isEqualTo("fu-b");
  }

  @Test
  void neverPlacesOnADrainingStage() {
    String name = broadcast("drain-skip", 10, 3);
    stages(name, KubeFixture.stage("ds-a", "Draining", 5), active("ds-b"));
    assertThat(join(name).path("stageId").asText()).isEqualTo("ds-b");
  }

  @Test
  void answers503WithRetryAfterWhenEveryStageIsFullAtMaxStages() {
    String name = broadcast("full", 1, 1);
    stages(name, active("fl-a"));
    join(name);
    var reply = http.post(base(name) + "/viewers", "{}");
    assertError(reply, 503);
    assertThat(reply.header("Retry-After")).isEqualTo("5");
    assertThat(reply.json().path("message").asText()).contains("limit of 1 stages");
  }

  @Test
  void answers409BeforeTheFirstStageAnd404ForUnknownBroadcasts() {
    String name = broadcast("early", 10, 3);
    var early = http.post(base(name) + "/viewers", null);
    assertError(early, 409);
    assertThat(early.json().path("message").asText()).contains("no stage");
    assertError(http.post(base("never-created") + "/viewers", null), 404);
  }

  @Test
  void countsOtherReplicasFreshReportsButNotStaleOnes() {
    String name = broadcast("replicas", 5, 3);
    stages(name, active("rp-a"), active("rp-b"));
    kube.reportAudience(NS, name, "replica-b", Map.of("rp-a", 5), clock.instant());
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.directory().find(new BroadcastKey(NS, name))
        .map(b -> b.getStatus().getAudience() != null && b.getStatus().getAudience().containsKey("replica-b"))
        .orElse(false));
    assertThat(join(name).path("stageId").asText()).as("rp-a is full by replica-b's count").isEqualTo("rp-b");

    // counted, 4 viewers would make rp-a the fullest stage with room; stale, rp-b (1 viewer) is fuller
    // stale (over 30 s) but not yet retired (a report is removed once 60 s old), so it stays in the resource
    kube.reportAudience(NS, name, "replica-b", Map.of("rp-a", 4), clock.instant().minusSeconds(45));
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.directory().find(new BroadcastKey(NS, name))
        .map(b -> b.getStatus().getAudience().get("replica-b")).map(r -> r.getReportedAt()).orElse("")
        .compareTo(clock.instant().minusSeconds(30).toString()) < 0);
    assertThat(join(name).path("stageId").asText()).as("a stale report counts for nothing").isEqualTo("rp-b");
  }

  @Test
  void twoReplicasShareStagesThroughTheirAudienceReports() {
    String name = broadcast("two-replicas", 4, 3);
    stages(name, active("tr-a"), active("tr-b"));
    for (int i = 0; i < 3; i++) {
      assertThat(join(name).path("stageId").asText()).isEqualTo("tr-a");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> reported(name, "replica-a").equals(Map.of("tr-a", 3)));
    try (var replicaB = startGateway(testSettings().toBuilder().replicaId("replica-b").build())) {
      var clientB = new GatewayClient(replicaB.port());
      await().atMost(Duration.ofSeconds(5)).until(() -> replicaB.directory().find(new BroadcastKey(NS, name))
          .map(b -> b.getStatus().getAudience() != null && b.getStatus().getAudience().containsKey("replica-a"))
          .orElse(false));
      List<String> placedByB = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        var reply = clientB.post(base(name) + "/viewers", null);
        assertThat(reply.status()).isEqualTo(201);
        placedByB.add(reply.json().path("stageId").asText());
      }
      assertThat(placedByB).as("tr-a's last seat is replica-a's: replica-b fills the next stage")
          .containsExactly("tr-b", "tr-b");
      await().atMost(Duration.ofSeconds(5)).until(() -> reported(name, "replica-b").equals(Map.of("tr-b", 2)));
      assertThat(join(name).path("stageId").asText()).as("replica-a still fills its seat").isEqualTo("tr-a");
    }
  }

  @Test
  void reportsTheAudienceAtMostOnceASecondAndOnlyWhenItChanged() {
    String name = broadcast("reports", 10_000, 3);
    stages(name, active("rp-a"));
    var settings = testSettings().toBuilder().replicaId("replica-r")
        .audienceReportInterval(Duration.ofSeconds(1)).audienceRefreshInterval(Duration.ofSeconds(60))
        .pendingViewerWindow(Duration.ofSeconds(30)).build();
    try (var replica = startGateway(settings)) {
      stagesOn(replica, name, active("rp-a"));
      var client = new GatewayClient(replica.port());
      long started = System.nanoTime();
      int joined = 0;
      // the count changes many times a second for over two seconds
      while (System.nanoTime() - started < Duration.ofMillis(2500).toNanos()) {
        assertThat(client.post(base(name) + "/viewers", null).status()).isEqualTo(201);
        joined++;
      }
      int viewers = joined;
      await().atMost(Duration.ofSeconds(5)).until(() -> reported(name, "replica-r").equals(Map.of("rp-a", viewers)));
      // the API server has the report before its writer's thread counts it: take the count once it has caught up
      long[] seen = {-1};
      await().pollInterval(Duration.ofMillis(50)).atMost(Duration.ofSeconds(3)).until(() -> {
        long now = reportsWritten(replica);
        boolean steady = now == seen[0];
        seen[0] = now;
        return steady;
      });
      double seconds = (System.nanoTime() - started) / 1e9;
      long written = seen[0];
      long claims = reports(replica, "seats_claimed");
      // seat claims are written between ticks (as many as the growing audience needs), and so is a line forming (the
      // first joins wait while the first seats are claimed, on a slow machine); everything else once a tick
      assertThat(written - claims).as("%d reports in %.1f s for %d changes, %d of them claiming seats", written,
          seconds, viewers, claims).isBetween(1L, (long) Math.floor(seconds) + 2);
      assertThat(claims).isPositive();

      await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
          .until(() -> reportsWritten(replica) == written);
    }
  }

  static long reportsWritten(GatewayServer server) {
    return reports(server, "written");
  }

  static long reports(GatewayServer server, String result) {
    var line = java.util.regex.Pattern.compile("stagefleet_gateway_audience_reports_total\\{result=\"" + result
        + "\"\\} ([0-9.E]+)").matcher(server.metrics().scrape());
    return line.find() ? (long) Double.parseDouble(line.group(1)) : 0;
  }

  @Test
  void aThousandParallelJoinsNeverOverfillAStage() throws Exception {
    String name = broadcast("burst", 100, 5);
    stages(name, active("bu-1"), active("bu-2"), active("bu-3"), active("bu-4"), active("bu-5"));
    // 64 clients at once, 1,000 joins in all: enough contention to overfill a stage if placement were not atomic
    Map<Integer, Long> statuses = new ConcurrentHashMap<>();
    Map<String, Integer> perStage = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(64);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        done.add(clients.submit(() -> {
          var reply = http.post(base(name) + "/viewers", null);
          statuses.merge(reply.status(), 1L, Long::sum);
          if (reply.status() == 201) {
            perStage.merge(reply.json().path("stageId").asText(), 1, Integer::sum);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
    assertThat(statuses).containsOnlyKeys(201, 503).containsEntry(201, 500L).containsEntry(503, 500L);
    assertThat(perStage).hasSize(5).allSatisfy((stage, count) -> assertThat(count).isEqualTo(100));
    await().atMost(Duration.ofSeconds(5)).until(() -> reported(name, "replica-a").values().stream()
        .mapToInt(Integer::intValue).sum() == 500);
  }

  @Test
  void presenceKeepsAViewerCountedAndUnusedTokensExpireFromTheReport() {
    String name = broadcast("presence", 10, 3);
    stages(name, active("pr-a"));
    JsonNode watching = join(name);
    join(name);
    await().atMost(Duration.ofSeconds(5)).until(() -> reported(name, "replica-a").equals(Map.of("pr-a", 2)));
    String reportedAt = kube.get(NS, name).getStatus().getAudience().get("replica-a").getReportedAt();
    assertThat(reportedAt).isNotBlank();

    var presence = http.socket(watching.path("presenceUrl").asText());
    awaitPresenceSockets(1);
    clock.advance(Duration.ofSeconds(31));
    await().atMost(Duration.ofSeconds(5)).until(() -> reported(name, "replica-a").equals(Map.of("pr-a", 1)));

    presence.close();
    awaitPresenceSockets(0);
    clock.advance(Duration.ofSeconds(31));
    await().atMost(Duration.ofSeconds(5)).until(() -> reported(name, "replica-a").isEmpty());
  }

  @Test
  void tellsViewersOnADrainingStageToMoveWithATokenForTheirNewStage() {
    String name = broadcast("move", 10, 3);
    stages(name, active("mv-a"), active("mv-b"));
    JsonNode viewer = join(name);
    assertThat(viewer.path("stageId").asText()).isEqualTo("mv-a");
    var presence = http.socket(viewer.path("presenceUrl").asText());
    awaitPresenceSockets(1);

    kube.setStages(NS, name, draining("mv-a"), active("mv-b"));
    JsonNode move = presence.next("move", Duration.ofSeconds(2)).path("data");
    assertThat(move.path("stageArn").asText()).isEqualTo(arn("mv-b"));
    assertThat(move.path("stageId").asText()).isEqualTo("mv-b");
    assertThat(move.path("expiresAt").asText()).isNotBlank();
    assertThat(verifiedClaims(move.path("token").asText())).containsEntry("resource", arn("mv-b"))
        .containsEntry("capabilities", Map.of("allow_subscribe", true));
    await().atMost(Duration.ofSeconds(5)).until(() -> reported(name, "replica-a").equals(Map.of("mv-b", 1)));
    presence.close();
  }

  @Test
  void movesTheViewersBeyondItsSeatsOffAStageThatHoldsMoreThanItsCapacity() {
    String name = broadcast("overfull", 5, 3);
    stages(name, active("of-a"), active("of-b"));
    List<GatewayClient.Socket> sockets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JsonNode viewer = join(name);
      assertThat(viewer.path("stageId").asText()).isEqualTo("of-a");
      sockets.add(http.socket(viewer.path("presenceUrl").asText()));
    }
    // another replica reports 3 viewers on the full stage (placed while the two could not see each other)
    kube.reportAudience(NS, name, "replica-z", Map.of("of-a", 3), clock.instant());

    int moved = 0;
    for (GatewayClient.Socket socket : sockets) {
      try {
        JsonNode move = socket.next("move", Duration.ofSeconds(4));
        assertThat(move.path("data").path("stageId").asText()).isEqualTo("of-b");
        moved++;
      } catch (AssertionError none) {
        // this viewer stays
      }
    }
    assertThat(moved).as("as many as the stage is over").isEqualTo(3);
    await().atMost(Duration.ofSeconds(5)).until(() -> reported(name, "replica-a").equals(Map.of("of-a", 2,
        "of-b", 3)));
    sockets.forEach(GatewayClient.Socket::close);
  }

  @Test
  void tellsPresentViewersTheBroadcastEnded() {
    String name = broadcast("ending", 10, 3);
    stages(name, active("en-a"));
    JsonNode viewer = join(name);
    var presence = http.socket(viewer.path("presenceUrl").asText());
    awaitPresenceSockets(1);
    kube.delete(NS, name);
    presence.next("ended", Duration.ofSeconds(2));
    assertThat(presence.awaitClosed(Duration.ofSeconds(2))).isEqualTo(1000);
    await().atMost(Duration.ofSeconds(5)).until(() -> http.post(base(name) + "/viewers", null).status() == 404);
  }

  @Test
  void refusesPresenceForUnknownViewers() {
    String name = broadcast("stranger", 10, 3);
    String other = broadcast("stranger-other", 10, 3);
    stages(name, active("sg-a"));
    String viewerId = join(name).path("viewerId").asText();
    assertThat(http.refusedSocket(base(name) + "/viewers/nobody/presence")).isEqualTo(404);
    assertThat(http.refusedSocket(base(other) + "/viewers/" + viewerId + "/presence")).isEqualTo(404);
  }
}
