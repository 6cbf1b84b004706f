package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.KubeFixture.active;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three gateway replicas on one API server, sharing nothing but the LiveBroadcast. */
@Tag("apiserver")
class GatewayReplicasTest extends GatewayTestBase {
  static GatewayServer replicaB;
  static GatewayServer replicaC;
  static List<GatewayClient> clients;

  @BeforeAll
  static void startReplicas() {
    replicaB = startGateway(testSettings().toBuilder().replicaId("replica-b").build());
    replicaC = startGateway(testSettings().toBuilder().replicaId("replica-c").build());
    clients = List.of(http, new GatewayClient(replicaB.port()), new GatewayClient(replicaC.port()));
  }

  @AfterAll
  static void stopReplicas() {
    for (GatewayServer server : new GatewayServer[] {replicaB, replicaC}) {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void aBurstOfJoinsRoundRobinAcrossThreeReplicasNeverOverfillsAStage() throws Exception {
    String name = broadcast("three", 50, 4);
    List<String> stageIds = List.of("th-1", "th-2", "th-3", "th-4");
    for (GatewayServer server : List.of(gateway, replicaB, replicaC)) {
      stagesOn(server, name, stageIds.stream().map(KubeFixture::active).toArray(
          dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus[]::new));
    }
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    Map<String, Integer> perStage = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(48);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        GatewayClient client = clients.get(i % 3);
        done.add(pool.submit(() -> {
          var reply = client.post(base(name) + "/viewers", null);
          statuses.merge(reply.status(), 1, Integer::sum);
          if (reply.status() == 201) {
            perStage.merge(reply.json().path("stageId").asText(), 1, Integer::sum);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(perStage.values()).as("viewers per stage %s, answers %s", perStage, statuses)
        .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(50));
    assertThat(statuses).containsOnlyKeys(201, 503);
    assertThat(statuses.get(201)).as("the seats are handed to the replicas that need them: the house fills")
        .isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> AudienceReports.freshViewers(kube.get(NS, name).getStatus(),
        Instant.now()).values().stream().mapToInt(Integer::intValue).sum() == 200);
    var seats = AudienceReports.heldSeats(kube.get(NS, name).getStatus(), Instant.now(), null);
    assertThat(seats.values()).as("seats held per stage %s", seats).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(50));
  }

  @Test
  void aPresencePassFromOneReplicaOpensOnAnotherWhichTakesTheViewerOverOnItsStageCountedOnce() {
    String name = broadcast("pass", 10, 3);
    for (GatewayServer server : List.of(gateway, replicaB)) {
      stagesOn(server, name, active("ps-a"), active("ps-b"));
    }
    var joined = http.post(base(name) + "/viewers", null).json();
    assertThat(joined.path("stageId").asText()).isEqualTo("ps-a");
    await().atMost(Duration.ofSeconds(5)).until(() -> viewersOf(name, "replica-a").equals(Map.of("ps-a", 1)));

    var presence = clients.get(1).socket(joined.path("presenceUrl").asText());
    await().atMost(Duration.ofSeconds(5)).until(() -> viewersOf(name, "replica-b").equals(Map.of("ps-a", 1)));
    assertThat(viewersOf(name, "replica-a")).as("replica-a still counts its token as pending")
        .isEqualTo(Map.of("ps-a", 1));
    assertThat(AudienceReports.freshViewers(kube.get(NS, name).getStatus(), Instant.now()))
        .as("the viewer counts once").isEqualTo(Map.of("ps-a", 1));
    presence.close();
  }

  @Test
  void aRefusedPresencePassIsAnsweredWithAJsonBody() {
    String name = broadcast("refused", 10, 3);
    stagesOn(gateway, name, active("rf-a"));
    try (var raw = new RawConnection(gateway.port())) {
      var answer = raw.exchange("GET " + base(name) + "/viewers/forged.pass.here/presence HTTP/1.1\r\n"
          + "Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      assertThat(answer.status()).isEqualTo(404);
      assertThat(answer.body()).contains("\"error\":\"not_found\"").contains("presence pass");
    }
  }

  @Test
  void aBroadcasterTicketFromOneReplicaOpensTheEventsSocketOnAnotherOnce() {
    String name = broadcast("ticket", 10, 3);
    for (GatewayServer server : List.of(gateway, replicaB)) {
      stagesOn(server, name, active("tk-a"));
    }
    String ticket = http.post(base(name) + "/ws-ticket", null, "x-api-key", "key-" + name).json().path("ticket")
        .asText();
    var events = clients.get(1).socket(base(name) + "/events?ticket=" + ticket);
    events.next("snapshot");
    assertThat(clients.get(1).refusedSocket(base(name) + "/events?ticket=" + ticket)).as("used once here")
        .isEqualTo(401);
    events.close();
  }

  @Test
  void aKilledReplicasViewersKeepTheirStageOnAnotherReplicaAndCountOnce() {
    String name = broadcast("killed", 10, 3);
    GatewayServer doomed = startGateway(testSettings().toBuilder().replicaId("replica-d").build());
    for (GatewayServer server : List.of(doomed, replicaB)) {
      stagesOn(server, name, active("kl-a"), active("kl-b"));
    }
    var toDoomed = new GatewayClient(doomed.port());
    List<String> presenceUrls = new ArrayList<>();
    List<GatewayClient.Socket> sockets = new ArrayList<>();
    Map<String, Integer> stagesBefore = new java.util.TreeMap<>();
    for (int i = 0; i < 12; i++) {
      var joined = toDoomed.post(base(name) + "/viewers", null).json();
      presenceUrls.add(joined.path("presenceUrl").asText());
      stagesBefore.merge(joined.path("stageId").asText(), 1, Integer::sum);
      sockets.add(toDoomed.socket(joined.path("presenceUrl").asText()));
    }
    assertThat(stagesBefore).isEqualTo(Map.of("kl-a", 10, "kl-b", 2));
    await().atMost(Duration.ofSeconds(5)).until(() -> viewersOf(name, "replica-d").equals(stagesBefore));

    doomed.halt();
    // the pages reconnect through the Service, which now routes them to replica-b
    List<GatewayClient.Socket> adopted = new ArrayList<>();
    for (String url : presenceUrls) {
      adopted.add(clients.get(1).socket(url));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> viewersOf(name, "replica-b").equals(stagesBefore));
    var status = kube.get(NS, name).getStatus();
    assertThat(AudienceReports.isFresh(status.getAudience().get("replica-d"), Instant.now()))
        .as("the killed replica's last report still counts").isTrue();
    assertThat(AudienceReports.freshViewers(status, Instant.now())).as("each viewer counts once")
        .isEqualTo(stagesBefore);
    assertNoMoves(adopted);
    adopted.forEach(GatewayClient.Socket::close);
  }

  @Test
  void aReplicaShutDownGracefullyHandsItsViewersOverWithoutMovingAnyOrCountingThemTwice() {
    String name = broadcast("rolling", 10, 3);
    GatewayServer leaving = startGateway(testSettings().toBuilder().replicaId("replica-e").build());
    for (GatewayServer server : List.of(leaving, replicaB)) {
      stagesOn(server, name, active("rl-a"), active("rl-b"));
    }
    var toLeaving = new GatewayClient(leaving.port());
    List<String> presenceUrls = new ArrayList<>();
    List<GatewayClient.Socket> sockets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      var joined = toLeaving.post(base(name) + "/viewers", null).json();
      presenceUrls.add(joined.path("presenceUrl").asText());
      sockets.add(toLeaving.socket(joined.path("presenceUrl").asText()));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> viewersOf(name, "replica-e").equals(Map.of("rl-a", 5)));

    leaving.close();
    assertThat(sockets.get(0).awaitClosed(Duration.ofSeconds(5))).as("going away").isEqualTo(1001);
    var handedOver = kube.get(NS, name).getStatus().getAudience().get("replica-e");
    assertThat(handedOver.getViewers()).as("it counts none of them any more").isEmpty();
    assertThat(handedOver.getSeats()).as("it keeps their seats until it goes stale").isEqualTo(Map.of("rl-a", 5));
    List<GatewayClient.Socket> adopted = new ArrayList<>();
    for (String url : presenceUrls) {
      adopted.add(clients.get(1).socket(url));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> viewersOf(name, "replica-b").equals(Map.of("rl-a", 5)));
    assertThat(AudienceReports.freshViewers(kube.get(NS, name).getStatus(), Instant.now()))
        .isEqualTo(Map.of("rl-a", 5));
    assertNoMoves(adopted);
    adopted.forEach(GatewayClient.Socket::close);
  }

  @Test
  void aGoneReplicasReportIsRetiredFromTheResource() {
    String name = broadcast("retired", 10, 3);
    stagesOn(gateway, name, active("rt-a"));
    kube.reportAudience(NS, name, "replica-gone", Map.of("rt-a", 4), clock.instant().minus(
        AudienceReporter.RETIRE_AFTER).minusSeconds(1));
    kube.reportAudience(NS, name, "replica-quiet", Map.of("rt-a", 2), clock.instant().minusSeconds(40));
    assertThat(http.post(base(name) + "/viewers", null).status()).isEqualTo(201);

    await().atMost(Duration.ofSeconds(15)).until(() -> !kube.get(NS, name).getStatus().audienceOrEmpty()
        .containsKey("replica-gone"));
    assertThat(kube.get(NS, name).getStatus().audienceOrEmpty()).as("stale but not yet gone: kept")
        .containsKeys("replica-a", "replica-quiet");
  }

  @Test
  void aWaiterWhoAsksAnotherReplicaWithItsWaitIdIsCountedOnceAndSeatedThereWhenAStageOpens() throws Exception {
    String name = broadcast("waitover", 1, 3);
    for (GatewayServer server : List.of(gateway, replicaB)) {
      stagesOn(server, name, active("wo-a"));
    }
    assertThat(http.post(base(name) + "/viewers", null).status()).isEqualTo(201);
    var first = http.post(base(name) + "/viewers", null, "Prefer", "wait=1");
    assertThat(first.status()).as(first.body()).isEqualTo(202);
    String waitId = first.json().path("waitId").asText();

    // the page asks again at once, and the Service routes it to replica-b while replica-a keeps its place for 5 s
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<GatewayClient.Reply> held = pool.submit(() -> clients.get(1).post(base(name) + "/viewers",
          "{\"waitId\":\"" + waitId + "\"}", "Prefer", "wait=15"));
      await().atMost(Duration.ofSeconds(5)).until(() -> waitingOf(name, "replica-a") == 1
          && waitingOf(name, "replica-b") == 1);
      var status = kube.get(NS, name).getStatus();
      assertThat(status.getAudience().get("replica-b").getWaitingAdopted()).isEqualTo(Map.of("replica-a", 1));
      assertThat(AudienceReports.freshWaiting(status, Instant.now())).as("both count it: the sum counts it once")
          .isEqualTo(1);

      for (GatewayServer server : List.of(gateway, replicaB)) {
        stagesOn(server, name, active("wo-a"), active("wo-b"));
      }
      var seated = held.get(20, TimeUnit.SECONDS);
      assertThat(seated.status()).as(seated.body()).isEqualTo(201);
      assertThat(seated.json().path("stageId").asText()).isEqualTo("wo-b");
    } finally {
      pool.shutdownNow();
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> AudienceReports.freshWaiting(kube.get(NS, name).getStatus(),
        Instant.now()) == 0);
  }

  @Test
  void aForgedWaitIdIsRefusedWithAJsonBodyOnAnyReplica() {
    String name = broadcast("forgedwait", 1, 3);
    for (GatewayServer server : List.of(gateway, replicaB)) {
      stagesOn(server, name, active("fw-a"));
    }
    assertThat(http.post(base(name) + "/viewers", null).status()).isEqualTo(201);
    String waitId = http.post(base(name) + "/viewers", null, "Prefer", "wait=1").json().path("waitId").asText();
    String[] parts = waitId.split("\\.");
    // the same claims, re-encoded to say another replica answered: the signature no longer matches
    String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
        .replace("replica-a", "replica-x");
    String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        payload.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];

    var refused = clients.get(1).post(base(name) + "/viewers", "{\"waitId\":\"" + forged + "\"}", "Prefer",
        "wait=1");
    GatewayClient.assertError(refused, 400);
    assertThat(refused.json().path("error").asText()).isEqualTo("bad_request");
    assertThat(refused.json().path("message").asText()).contains("waitId");
  }

  @Test
  void apiTokenModeReplicasSharingTheClaimsKeyAcceptEachOthersPresencePassesAndTickets(@TempDir Path dir)
      throws Exception {
    Path key = Files.writeString(dir.resolve("claimsKey"), "a-random-claims-key-the-chart-made-once-for-this-release\n");
    var api = testSettings().toBuilder().tokenMode(GatewaySettings.TokenMode.API);
    try (var first = new GatewayServer(api.replicaId("api-a").claimsKeyFile(key).build(), kube.client, ivs, clock)
        .start();
        var second = new GatewayServer(api.replicaId("api-b").claimsKeyFile(key).build(), kube.client, ivs, clock)
            .start();
        var unshared = new GatewayServer(api.replicaId("api-c").claimsKeyFile(null).build(), kube.client, ivs, clock)
            .start()) {
      String name = broadcast("apikey", 10, 3);
      ivs.stages.add(KubeFixture.arn("ak-a"));
      for (GatewayServer server : List.of(first, second, unshared)) {
        stagesOn(server, name, active("ak-a"));
      }
      var joined = new GatewayClient(first.port()).post(base(name) + "/viewers", null);
      assertThat(joined.status()).as(joined.body()).isEqualTo(201);
      String presenceUrl = joined.json().path("presenceUrl").asText();
      var toSecond = new GatewayClient(second.port());

      var presence = toSecond.socket(presenceUrl);
      await().atMost(Duration.ofSeconds(5)).until(() -> viewersOf(name, "api-b").equals(Map.of("ak-a", 1)));
      String ticket = new GatewayClient(first.port()).post(base(name) + "/ws-ticket", null, "x-api-key",
          "key-" + name).json().path("ticket").asText();
      var events = toSecond.socket(base(name) + "/events?ticket=" + ticket);
      events.next("snapshot");
      assertThat(new GatewayClient(unshared.port()).refusedSocket(presenceUrl))
          .as("a replica without the shared key cannot check the pass").isEqualTo(404);
      presence.close();
      events.close();
    }
  }

  static int waitingOf(String name, String replica) {
    var report = kube.get(NS, name).getStatus().audienceOrEmpty().get(replica);
    return report == null || report.getWaiting() == null ? 0 : report.getWaiting();
  }

  /** No socket is told to move over a few rounds of moves (they run every second). */
  static void assertNoMoves(List<GatewayClient.Socket> sockets) {
    for (int i = 0; i < sockets.size(); i++) {
      Duration wait = i == 0 ? ViewerMoves.RETRY_INTERVAL.multipliedBy(3) : Duration.ofMillis(50);
      var socket = sockets.get(i);
      assertThatThrownBy(() -> socket.next("move", wait)).as("no viewer switches stage")
          .isInstanceOf(AssertionError.class);
    }
  }

  static Map<String, Integer> viewersOf(String name, String replica) {
    var report = kube.get(NS, name).getStatus().audienceOrEmpty().get(replica);
    return report == null || report.getViewers() == null ? Map.of() : new java.util.TreeMap<>(report.getViewers());
  }
}
