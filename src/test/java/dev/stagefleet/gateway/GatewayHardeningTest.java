package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.GatewayClient.assertError;
import static dev.stagefleet.gateway.KubeFixture.active;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an outside attack-and-fault run found at the HTTP layer (issue 12), each driven the way the run drove it. */
@Tag("apiserver")
class GatewayHardeningTest extends GatewayTestBase {
  private static final String HOST = "Host: 127.0.0.1\r\n";

  @Test
  void aKeptAliveConnectionComparesEveryKeyByteForByte() {
    String name = broadcast("case", 10, 3);
    stages(name, active("cs-a"));
    String key = "key-" + name;
    String variant = key.toUpperCase(Locale.ROOT);
    try (var connection = new RawConnection(gateway.port())) {
      assertThat(connection.exchange(get(base(name) + "/stages", "Authorization: Bearer " + key)).status())
          .isEqualTo(200);
      var refused = connection.exchange(get(base(name) + "/stages", "Authorization: Bearer " + variant));
      assertJsonError(refused, 403, "forbidden");
      assertThat(refused.body()).doesNotContain("token\"");

      assertThat(connection.exchange(get("/api/broadcaster/stages", "Authorization: Bearer " + key)).status())
          .isEqualTo(200);
      assertJsonError(connection.exchange(get("/api/broadcaster/stages", "Authorization: Bearer " + variant)),
          403, "forbidden");
    }
  }

  @Test
  void webSocketUpgradesCreateNoHttpSessions() {
    String name = broadcast("nosession", 10, 3);
    for (String refused : List.of("/?type=broadcaster&apiKey=wrong", base(name) + "/events",
        base(name) + "/viewers/nobody/presence")) {
      try (var connection = new RawConnection(gateway.port())) {
        var answer = connection.exchange(upgrade(refused));
        assertThat(answer.status()).as(refused).isBetween(400, 499);
        assertThat(answer.headers()).as(refused).doesNotContainKey("set-cookie");
      }
    }
    try (var connection = new RawConnection(gateway.port())) {
      var accepted = connection.exchange(upgrade("/?type=broadcaster&apiKey=key-" + name));
      assertThat(accepted.status()).isEqualTo(101);
      assertThat(accepted.headers()).doesNotContainKey("set-cookie");
    }
    var plain = http.get(base(name) + "/stages", "x-api-key", "key-" + name);
    assertThat(plain.raw().headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void refusedWebSocketUpgradesCarryTheJsonError() {
    String name = broadcast("wsrefusal", 10, 3);
    String[][] refusals = {
        {"/?type=broadcaster&apiKey=wrong", "403", "forbidden"},
        {"/?type=viewer", "400", "bad_request"},
        {base(name) + "/events", "401", "unauthorized"},
        {base(name) + "/events?ticket=made-up", "401", "unauthorized"},
        {base(name) + "/viewers/nobody/presence", "404", "not_found"},
        {"/no/socket/here", "404", "not_found"}};
    for (String[] refusal : refusals) {
      try (var connection = new RawConnection(gateway.port())) {
        assertJsonError(connection.exchange(upgrade(refusal[0])), Integer.parseInt(refusal[1]), refusal[2]);
      }
    }
  }

  @Test
  void brokenBodyFramingIsAClientErrorNotAServerError() {
    String name = broadcast("framing", 10, 3);
    try (var connection = new RawConnection(gateway.port())) {
      var badChunk = connection.exchange("POST " + base(name) + "/viewers HTTP/1.1\r\n" + HOST
          + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n");
      assertJsonError(badChunk, 400, "bad_request");
    }
    try (var connection = new RawConnection(gateway.port())) {
      connection.send("POST " + base(name) + "/viewers HTTP/1.1\r\n" + HOST
          + "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"userId\":\"short\"}");
      connection.shutdownOutput();
      assertJsonError(connection.read(false), 400, "bad_request");
    }
    try (var connection = new RawConnection(gateway.port())) {
      connection.send("POST /api/broadcaster/stage-token HTTP/1.1\r\n" + HOST + "x-api-key: key-" + name
          + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"sta\r\n");
      connection.shutdownOutput();
      assertJsonError(connection.read(false), 400, "bad_request");
    }
  }

  @Test
  void aBadHttpVersionIs505WithItsOwnCode() {
    try (var connection = new RawConnection(gateway.port())) {
      assertJsonError(connection.exchange("GET /health HTTP/1.7\r\n" + HOST + "\r\n"), 505,
          "http_version_not_supported");
    }
  }

  @Test
  void aBadUriSaysItClosesTheConnectionAndHeadGetsNoBody() {
    try (var connection = new RawConnection(gateway.port())) {
      var answer = connection.exchange("GET /api/v1/namespaces/shows/livebroadcasts/la%ZZ/stages HTTP/1.1\r\n"
          + HOST + "\r\n");
      assertJsonError(answer, 400, "bad_request");
      assertThat(answer.header("connection")).isEqualToIgnoringCase("close");
      assertThat(connection.closedByGateway()).isTrue();
    }
    try (var connection = new RawConnection(gateway.port())) {
      var answer = connection.exchange("HEAD * HTTP/1.1\r\n" + HOST + "\r\n", true);
      assertThat(answer.status()).isBetween(400, 499);
      assertThat(answer.header("content-type")).startsWith("application/json");
      assertThat(answer.header("connection")).isEqualToIgnoringCase("close");
      // nothing follows the headers: the stream ends at once
      assertThat(connection.closedByGateway()).as("no body after a HEAD answer").isTrue();
    }
  }

  @Test
  void otherMethodsGetAJsonErrorOnAKeptAliveConnection(@TempDir Path web) throws Exception {
    String name = broadcast("methods", 10, 3);
    Files.createDirectories(web.resolve("viewer"));
    Files.writeString(web.resolve("viewer/index.html"), "<title>viewer page</title>");
    Files.writeString(web.resolve("style.css"), "body {}");
    try (var pages = startGateway(testSettings().toBuilder().webRoot(web).build());
        var connection = new RawConnection(pages.port())) {
      for (String path : List.of("/health", base(name) + "/stages", base(name) + "/viewers", "/", "/nowhere", "/style.css",
          "/viewer/", "/viewer")) {
        for (String method : List.of("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND")) {
          String request = method + " " + path;
          var answer = connection.exchange(request + " HTTP/1.1\r\n" + HOST + "Content-Length: 0\r\n\r\n");
          assertThat(answer.status()).as(request).isBetween(400, 499);
          assertThat(answer.header("content-type")).as(request).startsWith("application/json");
          assertThat(answer.json().path("error").asText()).as(request + " " + answer.body()).isNotBlank();
          assertThat(answer.json().path("message").asText()).as(request).isNotBlank();
        }
      }
      assertThat(connection.exchange(get("/health", "")).status()).isEqualTo(200);
    }
    for (String request : List.of("PUT /la%ZZ", "DELETE /la%ZZ", "PATCH /la%ZZ", "OPTIONS /la%ZZ", "PROPFIND /la%ZZ",
        "CONNECT 127.0.0.1:80", "OPTIONS *", "PUT /../x", "DELETE http://other/x", "PUT /x%00y")) {
      try (var connection = new RawConnection(gateway.port())) {
        var answer = connection.exchange(request + " HTTP/1.1\r\n" + HOST + "Content-Length: 0\r\n\r\n");
        assertThat(answer.status()).as(request).isBetween(400, 499);
        assertThat(answer.header("content-type")).as(request).startsWith("application/json");
        assertThat(answer.json().path("error").asText()).as(request + " " + answer.body()).isNotBlank();
      }
    }
  }

  @Test
  void aDisallowedOriginIsRefusedBeforeTheRouteRuns() {
    String name = broadcast("origin", 10, 3);
    try (var cors = startGateway(testSettings().toBuilder().corsOrigins(List.of("https://app.example")).build())) {
      stagesOn(cors, name, active("or-a"));
      var client = new GatewayClient(cors.port());
      var join = client.post(base(name) + "/viewers", null, "Origin", "https://evil.example");
      assertError(join, 403);
      assertThat(join.json().path("error").asText()).isEqualTo("origin_not_allowed");
      assertThat(join.body()).doesNotContain("token", "viewerId");
      var stages = client.get(base(name) + "/stages", "x-api-key", "key-" + name, "Origin", "https://evil.example");
      assertError(stages, 403);
      assertThat(stages.body()).doesNotContain("token");
      assertError(client.get("/api/broadcaster/stages", "x-api-key", "key-" + name, "Origin",
          "https://evil.example"), 403);

      var allowed = client.post(base(name) + "/viewers", null, "Origin", "https://app.example");
      assertThat(allowed.status()).as(allowed.body()).isEqualTo(201);
      assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
      // only the allowed join placed a viewer
      assertThat(cors.metrics().scrape()).contains("stagefleet_gateway_viewer_joins_total{result=\"placed\"} 1.0");
      // clients that send no Origin (not browsers) are not affected
      assertThat(client.get(base(name) + "/stages", "x-api-key", "key-" + name).status()).isEqualTo(200);
    }
  }

  @Test
  void wrongKeysAreThrottledPerClientAddressUntilTheWindowPasses() {
    String name = broadcast("guess", 10, 3);
    try (var limited = startGateway(testSettings().toBuilder().trustForwardedFor(true).build())) {
      stagesOn(limited, name, active("gs-a"));
      var client = new GatewayClient(limited.port());
      String path = base(name) + "/stages";
      String guesser = "198.51.100.7";
      for (int i = 0; i < FailedAuthentications.LIMIT; i++) {
        assertError(client.get(path, "x-api-key", "guess-" + i, "X-Forwarded-For", guesser), 403);
      }
      var throttled = client.get(path, "x-api-key", "guess-last", "X-Forwarded-For", guesser);
      assertError(throttled, 429);
      assertThat(throttled.json().path("error").asText()).isEqualTo("too_many_failed_authentications");
      assertThat(Integer.parseInt(throttled.header("Retry-After"))).isPositive();
      assertThat(throttled.body()).doesNotContain("guess");
      // the address is held off whatever it presents, on every authenticated endpoint
      assertError(client.get(path, "x-api-key", "key-" + name, "X-Forwarded-For", guesser), 429);
      assertError(client.get("/api/broadcaster/stages", "x-api-key", "x", "X-Forwarded-For", guesser), 429);
      assertError(client.post(base(name) + "/ws-ticket", null, "Authorization", "Bearer x", "X-Forwarded-For",
          guesser), 429);

      assertThat(client.get(path, "x-api-key", "key-" + name, "X-Forwarded-For", "198.51.100.8").status())
          .as("another client").isEqualTo(200);

      clock.advance(FailedAuthentications.WINDOW.plusSeconds(1));
      assertThat(client.get(path, "x-api-key", "key-" + name, "X-Forwarded-For", guesser).status())
          .as("after the window").isEqualTo(200);
      assertError(client.get(path, "x-api-key", "guess-again", "X-Forwarded-For", guesser), 403);
    }
  }

  private static String get(String path, String header) {
    return "GET " + path + " HTTP/1.1\r\n" + HOST + (header.isEmpty() ? "" : header + "\r\n") + "\r\n";
  }

  private static String upgrade(String pathAndQuery) {
    return "GET " + pathAndQuery + " HTTP/1.1\r\n" + HOST + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }

  private static void assertJsonError(RawConnection.Answer answer, int status, String error) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.header("content-type")).as("content type").startsWith("application/json");
    assertThat(answer.json().path("error").asText()).as(answer.body()).isEqualTo(error);
    assertThat(answer.json().path("message").asText()).as(answer.body()).isNotBlank();
    assertThat(answer.body()).doesNotContain("Exception", "at dev.stagefleet", "at org.eclipse");
  }
}
