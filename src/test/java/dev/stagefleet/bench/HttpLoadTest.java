package dev.stagefleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The open-loop HTTP load generator keeps its schedule, measures from intended send times and reads answers right. */
@Tag("bench")
class HttpLoadTest {
  private static Javalin server;
  private static URI base;

  @BeforeAll
  static void startServer() {
    server = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.routes.post("/fast", ctx -> ctx.status(201).result("{\"ok\":true}"));
      cfg.routes.post("/slow", ctx -> {
        Thread.sleep(40);
        ctx.result("slow");
      });
      cfg.routes.post("/chunked", ctx -> ctx.result(new ByteArrayInputStream(
          "{\"stageId\":\"abc\"}".getBytes(StandardCharsets.UTF_8))));
      cfg.routes.post("/full", ctx -> ctx.status(503).header("Retry-After", "1").result("{\"error\":\"full\"}"));
    });
    server.start("127.0.0.1", 0);
    base = URI.create("http://127.0.0.1:" + server.port());
  }

  @AfterAll
  static void stopServer() {
    server.stop();
  }

  @Test
  void sendsEveryDueRequestOnceWhenTheServerKeepsUp() {
    HttpLoad.Request fast = HttpLoad.post(base.resolve("/fast"), "{}");

    OpenLoop.Result result = HttpLoad.run(base, new OpenLoop.Plan(200, Duration.ofMillis(500), 8), i -> fast);

    assertThat(result.offered()).isEqualTo(100);
    assertThat(result.sent()).isEqualTo(100);
    assertThat(result.ok()).isEqualTo(100);
    assertThat(result.statusCounts()).containsExactly(Map.entry(201, 100L));
    assertThat(result.latencies().count()).isEqualTo(100);
    assertThat(result.latencies().median()).isPositive();
  }

  @Test
  void measuresLatencyFromTheIntendedSendTimeSoAServerThatFallsBehindShowsItsQueue() {
    HttpLoad.Request slow = HttpLoad.post(base.resolve("/slow"), "{}");

    // one connection, 40 ms a request: at most ~25/s, while 100/s are due
    OpenLoop.Result result = HttpLoad.run(base, new OpenLoop.Plan(100, Duration.ofSeconds(1), 1), i -> slow);

    assertThat(result.throughput()).isLessThan(30);
    assertThat(result.sent()).isLessThan(result.offered());
    // a closed-loop client would report ~40 ms; the queue behind the server shows in the tail
    assertThat(result.latencies().p99()).isGreaterThan(Duration.ofMillis(300));
  }

  @Test
  void readsChunkedAnswersAndHandsTheirBodiesToTheSink() {
    Set<String> bodies = ConcurrentHashMap.newKeySet();
    HttpLoad.Request chunked = HttpLoad.post(base.resolve("/chunked"), "{}");

    OpenLoop.Result result = HttpLoad.run(base, new OpenLoop.Plan(100, Duration.ofMillis(300), 2), i -> chunked,
        (i, status, body) -> bodies.add(status + " " + body));

    assertThat(result.ok()).isEqualTo(30);
    assertThat(bodies).containsExactly("200 {\"stageId\":\"abc\"}");
  }

  @Test
  void countsAnswersThatAreNotSuccessesByStatus() {
    HttpLoad.Request full = HttpLoad.post(base.resolve("/full"), "{}");

    OpenLoop.Result result = HttpLoad.run(base, new OpenLoop.Plan(100, Duration.ofMillis(200), 2), i -> full);

    assertThat(result.ok()).isZero();
    assertThat(result.failed()).isEqualTo(20);
    assertThat(result.statusCounts()).containsOnlyKeys(503);
  }
}
