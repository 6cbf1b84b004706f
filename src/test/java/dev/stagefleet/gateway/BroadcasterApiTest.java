package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.GatewayClient.assertError;
import static dev.stagefleet.gateway.KubeFixture.active;
import static dev.stagefleet.gateway.KubeFixture.arn;
import static dev.stagefleet.gateway.KubeFixture.draining;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("apiserver")
class BroadcasterApiTest extends GatewayTestBase {

  static List<String> arns(JsonNode stages) {
    List<String> arns = new ArrayList<>();
    stages.forEach(s -> arns.add(s.path("stageArn").asText()));
    return arns;
  }

  @Test
  void listsActiveStagesEachWithItsOwnPublishToken() {
    String name = broadcast("list", 50, 10);
    stages(name, active("st-a"), active("st-b"), draining("st-c"));
    var reply = http.get(base(name) + "/stages", "x-api-key", "key-" + name);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode stages = reply.json().path("stages");
    assertThat(arns(stages)).containsExactly(arn("st-a"), arn("st-b"));
    Map<String, Object> claims = verifiedClaims(stages.get(0).path("token").asText());
    assertThat(claims).containsEntry("resource", arn("st-a")).containsEntry("topic", "st-a")
        .containsEntry("user_id", "broadcaster").containsEntry("capabilities", Map.of("allow_publish", true));
    assertThat(claims.get("jti")).isEqualTo(stages.get(0).path("participantId").asText());
    assertThat(stages.get(0).path("token").asText()).isNotEqualTo(stages.get(1).path("token").asText());
  }

  @Test
  void acceptsTheKeyAsABearerToken() {
    String name = broadcast("bearer", 50, 10);
    stages(name, active("st-bearer"));
    var reply = http.get(base(name) + "/stages", "Authorization", "Bearer key-" + name);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(arns(reply.json().path("stages"))).containsExactly(arn("st-bearer"));
  }

  @Test
  void mintsOneStagesPublishToken() {
    String name = broadcast("one", 50, 10);
    stages(name, active("st-one"), draining("st-two"));
    var reply = http.post(base(name) + "/stage-token", "{\"stageArn\":\"" + arn("st-two") + "\"}",
        "x-api-key", "key-" + name);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.json().path("stageId").asText()).isEqualTo("st-two");
    assertThat(verifiedClaims(reply.json().path("token").asText())).containsEntry("resource", arn("st-two"));

    var unknown = http.post(base(name) + "/stage-token", "{\"stageArn\":\"" + arn("st-other") + "\"}",
        "x-api-key", "key-" + name);
    assertError(unknown, 404);
  }

  @Test
  void refusesMissingWrongAndOtherBroadcastsKeys() {
    String name = broadcast("auth", 50, 10);
    String other = broadcast("auth-other", 50, 10);
    assertError(http.get(base(name) + "/stages"), 401);
    assertThat(http.get(base(name) + "/stages").header("WWW-Authenticate")).isEqualTo("Bearer");
    assertError(http.get(base(name) + "/stages", "x-api-key", "wrong"), 403);
    assertError(http.get(base(name) + "/stages", "x-api-key", "key-" + other), 403);
    assertError(http.post(base(name) + "/ws-ticket", null, "x-api-key", "key-" + other), 403);
    assertError(http.post(base(name) + "/stage-token", "{\"stageArn\":\"" + arn("st-x") + "\"}",
        "Authorization", "Bearer key-" + other), 403);
    assertError(http.get(base("no-such-broadcast") + "/stages", "x-api-key", "key-" + name), 404);
  }

  @Test
  void socketSendsASnapshotThenStageChangesWithinASecond() {
    String name = broadcast("push", 50, 10);
    stages(name, active("st-p1"));
    var socket = openEvents(name);

    JsonNode snapshot = socket.next("snapshot").path("data").path("stages");
    assertThat(arns(snapshot)).containsExactly(arn("st-p1"));
    assertThat(verifiedClaims(snapshot.get(0).path("token").asText())).containsEntry("resource", arn("st-p1"));

    kube.setStages(NS, name, active("st-p1"), active("st-p2"));
    JsonNode created = socket.next("stage_created", Duration.ofSeconds(1)).path("data");
    assertThat(created.path("stageArn").asText()).isEqualTo(arn("st-p2"));
    assertThat(created.path("stageId").asText()).isEqualTo("st-p2");
    assertThat(created.path("timestamp").asText()).isNotBlank();
    assertThat(created.path("expiresAt").asText()).isNotBlank();
    assertThat(verifiedClaims(created.path("token").asText())).containsEntry("resource", arn("st-p2"))
        .containsEntry("capabilities", Map.of("allow_publish", true));

    kube.setStages(NS, name, draining("st-p1"), active("st-p2"));
    JsonNode drainingEvent = socket.next("stage_draining", Duration.ofSeconds(1)).path("data");
    assertThat(drainingEvent.path("stageArn").asText()).isEqualTo(arn("st-p1"));

    kube.setStages(NS, name, active("st-p2"));
    JsonNode deleted = socket.next("stage_deleted", Duration.ofSeconds(1)).path("data");
    assertThat(deleted.path("stageArn").asText()).isEqualTo(arn("st-p1"));
    assertThat(deleted.has("token")).isFalse();
    socket.close();
  }

  @Test
  void reconnectingGetsAFreshSnapshot() {
    String name = broadcast("reconnect", 50, 10);
    stages(name, active("st-r1"));
    var first = openEvents(name);
    String firstToken = first.next("snapshot").path("data").path("stages").get(0).path("token").asText();
    first.close();
    stages(name, active("st-r1"), active("st-r2"));
    var second = openEvents(name);
    JsonNode stages = second.next("snapshot").path("data").path("stages");
    assertThat(arns(stages)).containsExactly(arn("st-r1"), arn("st-r2"));
    assertThat(stages.get(0).path("token").asText()).isNotEqualTo(firstToken);
    second.close();
  }

  @Test
  void aTicketWorksOnceAndOnlyForItsBroadcast() {
    String name = broadcast("ticket", 50, 10);
    String other = broadcast("ticket-other", 50, 10);
    var ticket = http.post(base(name) + "/ws-ticket", null, "x-api-key", "key-" + name);
    assertThat(ticket.status()).isEqualTo(200);
    String value = ticket.json().path("ticket").asText();
    assertThat(ticket.json().path("url").asText()).isEqualTo(base(name) + "/events?ticket=" + value);
    assertThat(http.refusedSocket(base(other) + "/events?ticket=" + value)).isEqualTo(403);
    var again = http.post(base(name) + "/ws-ticket", null, "x-api-key", "key-" + name).json().path("ticket").asText();
    var socket = http.socket(base(name) + "/events?ticket=" + again);
    socket.next("snapshot");
    assertThat(http.refusedSocket(base(name) + "/events?ticket=" + again)).isEqualTo(401);
    assertThat(http.refusedSocket(base(name) + "/events")).isEqualTo(401);
    assertThat(http.refusedSocket(base(name) + "/events?ticket=forged")).isEqualTo(401);
    socket.close();
  }

  @Test
  void socketSaysWhichStagesToPublishIntoAndWhenAStagesFeedChanges() {
    String name = broadcast("fan", 50, 10);
    stages(name, KubeFixture.origin("st-f1"), KubeFixture.replica("st-f2", "st-f1"), active("st-f3"));
    var socket = openEvents(name);

    JsonNode snapshot = socket.next("snapshot").path("data").path("stages");
    assertThat(snapshot.get(0).path("publish").asBoolean()).isTrue();
    assertThat(snapshot.get(0).path("feed").asText()).isEqualTo("origin");
    assertThat(snapshot.get(1).path("publish").asBoolean()).isFalse();
    assertThat(snapshot.get(1).path("feed").asText()).isEqualTo("replica");
    assertThat(snapshot.get(1).path("source").asText()).isEqualTo("st-f1");
    assertThat(snapshot.get(2).path("publish").asBoolean()).as("not assigned yet: publish, never dark").isTrue();
    assertThat(verifiedClaims(snapshot.get(1).path("token").asText())).as("a token for when it becomes an origin")
        .containsEntry("capabilities", Map.of("allow_publish", true));

    kube.setStages(NS, name, KubeFixture.origin("st-f1"), KubeFixture.origin("st-f2"), active("st-f3"));
    JsonNode feed = socket.next("stage_feed", Duration.ofSeconds(1)).path("data");
    assertThat(feed.path("stageId").asText()).isEqualTo("st-f2");
    assertThat(feed.path("publish").asBoolean()).isTrue();
    assertThat(verifiedClaims(feed.path("token").asText())).as("a fresh token to publish with at once")
        .containsEntry("resource", arn("st-f2"));

    kube.setStages(NS, name, KubeFixture.origin("st-f1"), KubeFixture.replica("st-f2", "st-f1"), active("st-f3"));
    JsonNode back = socket.next("stage_feed", Duration.ofSeconds(1)).path("data");
    assertThat(back.path("publish").asBoolean()).isFalse();
    assertThat(back.has("token")).isFalse();
    socket.close();
  }

  @Test
  void aTicketExpiresThirtySecondsAfterItWasIssued() {
    String name = broadcast("ticket-ttl", 50, 10);
    var reply = http.post(base(name) + "/ws-ticket", null, "x-api-key", "key-" + name);
    assertThat(reply.status()).isEqualTo(200);
    var issuedBefore = clock.instant();
    assertThat(java.time.Instant.parse(reply.json().path("expiresAt").asText()))
        .isBetween(issuedBefore.plusSeconds(29), issuedBefore.plusSeconds(30));
    clock.advance(Duration.ofSeconds(31));
    assertThat(http.refusedSocket(base(name) + "/events?ticket=" + reply.json().path("ticket").asText()))
        .isEqualTo(401);

    var fresh = http.post(base(name) + "/ws-ticket", null, "x-api-key", "key-" + name).json();
    clock.advance(Duration.ofSeconds(29));
    var socket = http.socket(base(name) + "/events?ticket=" + fresh.path("ticket").asText());
    socket.next("snapshot");
    socket.close();
  }

  @Test
  void socketIsToldWhenTheBroadcastIsDeleted() {
    String name = broadcast("gone", 50, 10);
    stages(name, active("st-g1"));
    var socket = openEvents(name);
    socket.next("snapshot");
    kube.delete(NS, name);
    assertThat(socket.next("stage_deleted", Duration.ofSeconds(2)).path("data").path("stageArn").asText())
        .isEqualTo(arn("st-g1"));
    socket.next("ended", Duration.ofSeconds(2));
    assertThat(socket.awaitClosed(Duration.ofSeconds(2))).isEqualTo(1000);
  }

  @Test
  void everySocketGetsHeartbeats() {
    try (var beating = startGateway(testSettings().toBuilder().heartbeatInterval(Duration.ofMillis(100)).build())) {
      var client = new GatewayClient(beating.port());
      String name = broadcast("beat", 10, 3);
      stagesOn(beating, name, active("hb-a"));
      var ticket = client.post(base(name) + "/ws-ticket", null, "x-api-key", "key-" + name).json();
      var events = client.socket(ticket.path("url").asText());
      var presence = client.socket(client.post(base(name) + "/viewers", null).json().path("presenceUrl").asText());
      var legacy = client.socket("/?type=broadcaster&apiKey=key-" + name);
      for (var socket : List.of(events, presence, legacy)) {
        assertThat(socket.next("heartbeat", Duration.ofSeconds(2)).path("data").path("timestamp").asText())
            .isNotBlank();
        socket.close();
      }
    }
  }

  GatewayClient.Socket openEvents(String name) {
    var ticket = http.post(base(name) + "/ws-ticket", null, "x-api-key", "key-" + name);
    assertThat(ticket.status()).as(ticket.body()).isEqualTo(200);
    return http.socket(base(name) + "/events?ticket=" + ticket.json().path("ticket").asText());
  }
}
