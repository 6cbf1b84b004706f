package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.GatewayClient.assertError;
import static dev.stagefleet.gateway.KubeFixture.active;
import static dev.stagefleet.gateway.KubeFixture.arn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("apiserver")
class GatewaySafetyTest extends GatewayTestBase {

  @Test
  void malformedOrUnexpectedBodiesAre400WithAMessage() {
    String name = broadcast("bodies", 10, 3);
    stages(name, active("bd-a"));
    String key = "key-" + name;
    String tokenPath = base(name) + "/stage-token";

    var malformed = http.post(tokenPath, "{\"stageArn\": ", "x-api-key", key);
    assertError(malformed, 400);
    assertThat(malformed.json().path("message").asText()).contains("not valid JSON");

    var unknownField = http.post(tokenPath, "{\"stageArn\":\"" + arn("bd-a") + "\",\"admin\":true}", "x-api-key", key);
    assertError(unknownField, 400);
    assertThat(unknownField.json().path("message").asText()).contains("unknown field \"admin\"").contains("stageArn");

    assertError(http.post(tokenPath, "[1,2]", "x-api-key", key), 400);
    assertError(http.post(tokenPath, "\"text\"", "x-api-key", key), 400);
    assertError(http.post(tokenPath, "null", "x-api-key", key), 400);
    assertError(http.post(tokenPath, "", "x-api-key", key), 400);
    var wrongType = http.post(tokenPath, "{\"stageArn\": 42}", "x-api-key", key);
    assertError(wrongType, 400);
    assertThat(wrongType.json().path("message").asText()).contains("stageArn");
    assertError(http.post(tokenPath, "{\"stageArn\": {\"a\": 1}}", "x-api-key", key), 400);

    var badArn = http.post(tokenPath, "{\"stageArn\":\"arn:aws:s3:::bucket\"}", "x-api-key", key);
    assertError(badArn, 400);
    assertThat(badArn.json().path("message").asText()).contains("not a stage ARN");
    assertError(http.post(tokenPath, "{\"stageArn\":\"" + arn("x").repeat(3) + "\"}", "x-api-key", key), 400);
    assertError(http.post(tokenPath, "{}", "x-api-key", key), 400);

    assertError(http.post(base(name) + "/viewers", "{\"userId\":\"<script>\"}"), 400);
    assertError(http.post(base(name) + "/viewers", "{\"seat\":1}"), 400);
    assertError(http.post(base(name) + "/viewers", "{\"userId\":\"" + "u".repeat(129) + "\"}"), 400);
  }

  @Test
  void hugeBodiesAre413WhetherDeclaredOrStreamed() {
    String name = broadcast("huge", 10, 3);
    String big = "{\"userId\":\"" + "x".repeat(100_000) + "\"}";
    assertError(http.post(base(name) + "/viewers", big), 413);
    var streamed = http.send(http.request(base(name) + "/viewers").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))).build());
    assertThat(streamed.status()).as(streamed.body()).isBetween(400, 499);
    assertThat(streamed.body()).doesNotContain("Exception");
  }

  @Test
  void badNamesAndUnknownPathsAreClientErrors() {
    assertError(http.get("/api/v1/namespaces/Shows/livebroadcasts/x/stages", "x-api-key", "k"), 400);
    assertError(http.get("/api/v1/namespaces/" + "n".repeat(64) + "/livebroadcasts/x/stages", "x-api-key", "k"), 400);
    assertError(http.post("/api/v1/namespaces/shows/livebroadcasts/bad_name!/viewers", null), 400);
    assertError(http.post("/api/v1/namespaces/shows/livebroadcasts/-dash/viewers", null), 400);
    assertError(http.get("/api/v1/nothing-here"), 404);
    assertError(http.get(base("x") + "/viewers"), 404);
    assertThat(http.refusedSocket("/api/v1/namespaces/Bad/livebroadcasts/x/viewers/v/presence")).isEqualTo(400);
  }

  @Test
  void aMissingApiKeySecretIsReportedNotCrashed() {
    String name = uniqueName("nosecret");
    LiveBroadcast broadcast = kube.createBroadcast(NS, name, "key-" + name, 10, 3);
    kube.client.secrets().inNamespace(NS).withName(name + "-key").delete();
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.directory().find(BroadcastKey.of(broadcast))
        .isPresent() && gateway.directory().find(BroadcastKey.of(broadcast)).flatMap(b -> gateway.directory()
        .apiKey(b)).isEmpty());
    var reply = http.get(base(name) + "/stages", "x-api-key", "key-" + name);
    assertError(reply, 503);
    assertThat(reply.json().path("message").asText()).contains(name + "-key");
  }

  @Test
  void anInvalidSpecThatSlippedPastValidationIsAConflictNotACrash() {
    String name = uniqueName("invalid");
    kube.beforeTheSchemaTightened(() -> kube.createBroadcast(NS, name, "key-" + name, 0, 3));
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.directory().find(new BroadcastKey(NS, name))
        .isPresent());
    stages(name, active("iv-a"));
    var join = http.post(base(name) + "/viewers", null);
    assertError(join, 409);
    assertThat(join.json().path("message").asText()).contains("viewersPerStage");
    assertError(http.get(base(name) + "/stages", "x-api-key", "key-" + name), 409);
    assertError(http.get("/api/broadcaster/stages", "x-api-key", "key-" + name), 409);
  }

  @Test
  void limitsViewerJoinsPerClientAddress() {
    try (var limited = startGateway(testSettings().toBuilder().viewerJoinsPerSecondPerIp(3).build())) {
      var client = new GatewayClient(limited.port());
      String name = broadcast("ratelimit", 100, 3);
      stages(name, active("rl-a"));
      await().atMost(Duration.ofSeconds(5)).until(() -> limited.directory().find(new BroadcastKey(NS, name))
          .map(b -> !b.getStatus().stagesOrEmpty().isEmpty()).orElse(false));
      int accepted = 0;
      GatewayClient.Reply refused = null;
      for (int i = 0; i < 10 && refused == null; i++) {
        var reply = client.post(base(name) + "/viewers", null);
        if (reply.status() == 201) {
          accepted++;
        } else {
          refused = reply;
        }
      }
      assertThat(accepted).isGreaterThanOrEqualTo(3);
      assertThat(refused).isNotNull();
      assertError(refused, 429);
      assertThat(refused.header("Retry-After")).isEqualTo("1");
    }
  }

  @Test
  void tellsClientsApartByForwardedForOnlyWhenTrusted() {
    String name = broadcast("forwarded", 100, 3);
    stages(name, active("fw-a"));
    try (var trusting = startGateway(testSettings().toBuilder().viewerJoinsPerSecondPerIp(1).trustForwardedFor(true)
        .build());
        var wary = startGateway(testSettings().toBuilder().viewerJoinsPerSecondPerIp(1).build())) {
      for (var server : List.of(trusting, wary)) {
        await().atMost(Duration.ofSeconds(5)).until(() -> server.directory().find(new BroadcastKey(NS, name))
            .map(b -> !b.getStatus().stagesOrEmpty().isEmpty()).orElse(false));
      }
      var viaProxy = new GatewayClient(trusting.port());
      assertThat(viaProxy.post(base(name) + "/viewers", null, "X-Forwarded-For", "198.51.100.1").status())
          .isEqualTo(201);
      assertThat(viaProxy.post(base(name) + "/viewers", null, "X-Forwarded-For", "198.51.100.2, 10.0.0.1").status())
          .isEqualTo(201);
      assertError(viaProxy.post(base(name) + "/viewers", null, "X-Forwarded-For", "198.51.100.1"), 429);

      var direct = new GatewayClient(wary.port());
      assertThat(direct.post(base(name) + "/viewers", null, "X-Forwarded-For", "198.51.100.1").status())
          .isEqualTo(201);
      assertError(direct.post(base(name) + "/viewers", null, "X-Forwarded-For", "198.51.100.2"), 429);
    }
  }

  @Test
  void allowsCrossOriginCallsOnlyFromListedOrigins() {
    try (var cors = startGateway(testSettings().toBuilder().corsOrigins(List.of("https://app.example")).build())) {
      var client = new GatewayClient(cors.port());
      var preflight = client.send(client.request("/api/v1/namespaces/shows/livebroadcasts/x/viewers",
          "Origin", "https://app.example", "Access-Control-Request-Method", "POST",
          "Access-Control-Request-Headers", "content-type,x-api-key")
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
      assertThat(preflight.status()).isBetween(200, 299);
      assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
      assertThat(preflight.header("Access-Control-Allow-Headers")).containsIgnoringCase("x-api-key");

      var allowed = client.get("/health", "Origin", "https://app.example");
      assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
      var other = client.get("/health", "Origin", "https://evil.example");
      assertThat(other.header("Access-Control-Allow-Origin")).isNull();
    }
    assertThat(http.get("/health", "Origin", "https://app.example").header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void servesHealthReadinessAndMetrics() {
    assertThat(http.get("/health").json().path("status").asText()).isEqualTo("ok");
    var ready = http.get("/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().path("status").asText()).isEqualTo("ready");

    String name = broadcast("metrics", 10, 3);
    stages(name, active("mt-a"));
    assertThat(http.post(base(name) + "/viewers", null).status()).isEqualTo(201);
    assertThat(http.get(base(name) + "/stages", "x-api-key", "key-" + name).status()).isEqualTo(200);
    assertThat(http.get("/metrics").status()).as("/metrics is not on the port the Ingress routes to").isEqualTo(404);
    var metrics = new GatewayClient(gateway.metricsPort()).get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.header("Content-Type")).startsWith("text/plain");
    assertThat(metrics.body())
        .contains("stagefleet_gateway_tokens_total{capability=\"subscribe\",mode=\"self-signed\"}")
        .contains("stagefleet_gateway_tokens_total{capability=\"publish\",mode=\"self-signed\"}")
        .contains("stagefleet_gateway_placement_seconds_count")
        .contains("stagefleet_gateway_viewer_joins_total{result=\"placed\"}")
        .contains("stagefleet_gateway_sockets{kind=\"broadcaster\"}")
        .contains("stagefleet_gateway_audience_viewers{state=\"pending\"}");
  }

  @Test
  void servesThePagesAndTheInstalledSdk(@TempDir Path web) throws Exception {
    Path src = Files.createDirectories(web.resolve("src"));
    Files.createDirectories(src.resolve("broadcaster"));
    Files.createDirectories(src.resolve("viewer"));
    Files.writeString(src.resolve("broadcaster/index.html"), "<title>broadcaster page</title>");
    Files.writeString(src.resolve("viewer/index.html"), "<title>viewer page</title>");
    Path sdk = web.resolve(GatewaySettings.SDK_IN_NODE_MODULES);
    try (var pages = startGateway(testSettings().toBuilder().webRoot(src).build())) {
      var client = new GatewayClient(pages.port());
      assertThat(client.get("/broadcaster/").body()).contains("broadcaster page");
      assertThat(client.get("/viewer/").body()).contains("viewer page");
      var redirect = client.get("/viewer?broadcast=shows/x");
      assertThat(redirect.status()).isIn(301, 302, 303, 307, 308);
      assertThat(redirect.header("Location")).endsWith("/viewer/?broadcast=shows/x");
      var missing = client.get(GatewayHttp.SDK_PATH);
      assertError(missing, 404);
      assertThat(missing.json().path("message").asText()).contains("npm install");

      Files.createDirectories(sdk.getParent());
      Files.writeString(sdk, "self.IVSBroadcastClient = {};");
      var served = client.get(GatewayHttp.SDK_PATH);
      assertThat(served.status()).isEqualTo(200);
      assertThat(served.header("Content-Type")).startsWith("text/javascript");
      assertThat(served.body()).contains("IVSBroadcastClient");
      assertThat(client.get("/health").status()).isEqualTo(200);
    }
  }

  @Test
  void requestsJettyRefusesBeforeRoutingAlsoGetAJsonError() throws Exception {
    String[] requests = {
        "GET /api/v1/namespaces/shows/livebroadcasts/la%ZZ/stages HTTP/1.1",
        "GET /../../etc/passwd HTTP/1.1",
        "POST /api/v1/namespaces/shows/livebroadcasts/x/viewers HTTP/1.1\r\nContent-Length: abc"};
    for (String request : requests) {
      String reply = rawExchange(request + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      assertThat(reply).as(request).startsWith("HTTP/1.1 400").containsIgnoringCase("content-type: application/json")
          .doesNotContain("<html");
      var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(reply.substring(reply.indexOf("\r\n\r\n")));
      assertThat(body.path("error").asText()).as(reply).isEqualTo("bad_request");
      assertThat(body.path("message").asText()).as(reply).isNotBlank();
    }
  }

  /** Sends bytes no HTTP client library would send, and reads the whole answer. */
  static String rawExchange(String request) throws java.io.IOException {
    try (var socket = new java.net.Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void neverAnswersWithAServerErrorForTheseClientMistakes() {
    String name = broadcast("fuzz", 10, 3);
    stages(name, active("fz-a"));
    String[] bodies = {"{", "}", "[]", "{\"stageArn\":null}", "{\"stageArn\":[]}", "\u0000", "{\"userId\":5}",
        "{\"userId\":\"ok\",\"userId\":\"dup\"}", "tru", "1e999999"};
    String[] paths = {base(name) + "/stage-token", base(name) + "/viewers", base(name) + "/ws-ticket",
        "/api/broadcaster/stage-token"};
    for (String path : paths) {
      for (String body : bodies) {
        var reply = http.post(path, body, "x-api-key", "key-" + name);
        assertThat(reply.status()).as(path + " " + body + " -> " + reply.body()).isLessThan(500);
      }
    }
  }
}
