package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.GatewayClient.assertError;
import static dev.stagefleet.gateway.KubeFixture.active;
import static dev.stagefleet.gateway.KubeFixture.arn;
import static dev.stagefleet.gateway.KubeFixture.draining;
import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The seed design's endpoints, exercised the way the seed's broadcaster client used them. */
@Tag("apiserver")
class LegacyEndpointsTest extends GatewayTestBase {

  @Test
  void healthAnswersOk() {
    assertThat(http.get("/health").status()).isEqualTo(200);
  }

  @Test
  void theKeyAloneFindsTheBroadcastsStagesAndTokens() {
    String name = broadcast("seed-list", 10, 3);
    stages(name, active("sd-a"), draining("sd-b"), active("sd-c"));
    var reply = http.get("/api/broadcaster/stages", "x-api-key", "key-" + name);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode stages = reply.json().path("stages");
    assertThat(reply.json().path("total").asInt()).isEqualTo(2);
    assertThat(stages.get(0).path("stageArn").asText()).isEqualTo(arn("sd-a"));
    assertThat(stages.get(1).path("stageArn").asText()).isEqualTo(arn("sd-c"));
    assertThat(stages.get(0).path("stageId").asText()).isEqualTo("sd-a");
    assertThat(stages.get(0).has("viewerCount")).isTrue();
    assertThat(verifiedClaims(stages.get(0).path("token").asText())).containsEntry("resource", arn("sd-a"));

    var token = http.post("/api/broadcaster/stage-token", "{\"stageArn\":\"" + arn("sd-c") + "\"}",
        "x-api-key", "key-" + name);
    assertThat(token.status()).as(token.body()).isEqualTo(200);
    assertThat(verifiedClaims(token.json().path("token").asText())).containsEntry("resource", arn("sd-c"));
    assertThat(token.json().path("stageArn").asText()).isEqualTo(arn("sd-c"));
    assertThat(token.json().path("expiresIn").asLong()).isPositive();
  }

  @Test
  void seedClientsGetAPublishTokenForAReplicaStageToo() {
    String name = broadcast("seed-fan", 10, 3);
    stages(name, KubeFixture.origin("sf-a"), KubeFixture.replica("sf-b", "sf-a"));
    var reply = http.get("/api/broadcaster/stages", "x-api-key", "key-" + name);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode stages = reply.json().path("stages");
    assertThat(stages).hasSize(2);
    assertThat(verifiedClaims(stages.get(1).path("token").asText())).containsEntry("resource", arn("sf-b"))
        .containsEntry("capabilities", Map.of("allow_publish", true));
  }

  @Test
  void theRootSocketAnnouncesCreatedAndDeletedStages() {
    String name = broadcast("seed-socket", 10, 3);
    stages(name, active("ss-a"));
    var socket = http.socket("/?type=broadcaster&apiKey=key-" + name);
    kube.setStages(NS, name, active("ss-a"), active("ss-b"));
    JsonNode created = socket.next("stage_created", Duration.ofSeconds(2));
    assertThat(created.path("data").path("stageArn").asText()).isEqualTo(arn("ss-b"));
    assertThat(created.path("data").path("timestamp").asText()).isNotBlank();
    // the seed's client fetches each new stage's token itself
    assertThat(created.path("data").has("token")).isFalse();

    kube.setStages(NS, name, active("ss-b"));
    assertThat(socket.next("stage_deleted", Duration.ofSeconds(2)).path("data").path("stageArn").asText())
        .isEqualTo(arn("ss-a"));
    assertThat(socket.messages).noneMatch(m -> m.path("type").asText().equals("snapshot"));
    socket.close();
  }

  @Test
  void theSeedsBroadcasterPageSocketAtWsIsTheSameSocket() {
    String name = broadcast("seed-ws", 10, 3);
    stages(name, active("sw-a"));
    var socket = http.socket("/ws?type=broadcaster&apiKey=key-" + name);
    // the legacy socket sends no snapshot: wait until the gateway has it, so the change comes after its subscription
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.metrics().scrape()
        .contains("stagefleet_gateway_sockets{kind=\"legacy\"} 1.0"));
    kube.setStages(NS, name, active("sw-a"), active("sw-b"));
    assertThat(socket.next("stage_created", Duration.ofSeconds(2)).path("data").path("stageArn").asText())
        .isEqualTo(arn("sw-b"));
    socket.close();
    assertThat(http.refusedSocket("/ws?type=broadcaster&apiKey=wrong")).isEqualTo(403);
    assertThat(http.refusedSocket("/ws?type=broadcaster")).isEqualTo(401);
    assertThat(http.refusedSocket("/ws?type=viewer&apiKey=key-" + name)).isEqualTo(400);
  }

  @Test
  void refusesWrongKeysAndOtherClients() {
    String name = broadcast("seed-auth", 10, 3);
    assertError(http.get("/api/broadcaster/stages"), 401);
    assertError(http.get("/api/broadcaster/stages", "x-api-key", "nobody's key"), 403);
    assertThat(http.refusedSocket("/?type=broadcaster&apiKey=wrong")).isEqualTo(403);
    assertThat(http.refusedSocket("/?type=broadcaster")).isEqualTo(401);
    assertThat(http.refusedSocket("/?type=viewer&apiKey=key-" + name)).isEqualTo(400);
  }

  @Test
  void canBeSwitchedOff() {
    try (var modern = startGateway(testSettings().toBuilder().legacyEndpoints(false).build())) {
      var client = new GatewayClient(modern.port());
      String name = broadcast("seed-off", 10, 3);
      assertError(client.get("/api/broadcaster/stages", "x-api-key", "key-" + name), 404);
      assertThat(client.refusedSocket("/?type=broadcaster&apiKey=key-" + name)).isEqualTo(404);
      assertThat(client.refusedSocket("/ws?type=broadcaster&apiKey=key-" + name)).isEqualTo(404);
      assertThat(client.get("/health").status()).isEqualTo(200);
    }
  }
}
