package dev.stagefleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.Endpoints;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.GatewayServer;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario 6: gateway replicas sharing one API server. A burst of joins round-robin across 1, 2 and 3 replicas
 * (joins/s and the fullest stage against its capacity), then the loss of one of 3 replicas without a shutdown: its
 * viewers' presence sockets reopen on another replica, and the audience the reports add up to is sampled meanwhile.
 * Before the loss, viewers held for a seat ask again, each time on the next of 3 replicas, and the waiting the
 * reports add up to is sampled.
 */
final class ReplicasBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Sizes: joins per burst, the broadcast's viewersPerStage and Active stages, client threads, viewers in the loss. */
  record Settings(int joins, int viewersPerStage, int stages, int threads, int lossViewers, Duration lossWindow,
      int waiters) {
  }

  private ReplicasBench() {
  }

  static BenchReport run(Settings settings, PrintStream log) {
    BenchReport report = new BenchReport("replicas", Instant.now()).parameter("joins", settings.joins())
        .parameter("viewersPerStage", settings.viewersPerStage()).parameter("stages", settings.stages())
        .parameter("threads", settings.threads()).parameter("lossViewers", settings.lossViewers());
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ExecutorService pool = Executors.newFixedThreadPool(settings.threads());
    try (BenchStack stack = BenchStack.start()) {
      List<GatewayServer> gateways = stack.startGateways(3, s -> s);
      Broadcasts broadcasts = new Broadcasts(stack.client(), BenchStack.NAMESPACE);
      double worst = 0;
      for (int n = 1; n <= 3; n++) {
        String name = "replicas-" + n;
        live(broadcasts, http, gateways.subList(0, n), name, settings);
        log.printf("burst of %d joins across %d replica(s)%n", settings.joins(), n);
        Burst burst = burst(http, pool, gateways.subList(0, n), name, settings.joins());
        double fullest = burst.perStage().values().stream().mapToInt(Integer::intValue).max().orElse(0)
            / (double) settings.viewersPerStage();
        worst = Math.max(worst, fullest);
        report.figure("joins/s, " + n + " replica(s)", burst.placed() / burst.seconds(), "1/s",
            burst.placed() + " placed in " + String.format("%.2f s", burst.seconds()));
        report.figure("fullest stage / capacity, " + n + " replica(s)", fullest, "", burst.perStage().toString());
      }
      report.goal("no stage above viewersPerStage with 1, 2 or 3 replicas", String.format("%.2f", worst),
          worst <= 1.0);
      // before the loss, which takes the third replica away
      waiting(report, broadcasts, http, gateways, settings, log);
      loss(report, broadcasts, http, pool, gateways, settings, log);
    } finally {
      pool.shutdownNow();
    }
    return report;
  }

  private record Burst(int placed, double seconds, Map<String, Integer> perStage) {
  }

  private static Burst burst(HttpClient http, ExecutorService pool, List<GatewayServer> gateways, String name,
      int joins) {
    Map<String, Integer> perStage = new ConcurrentHashMap<>();
    AtomicInteger placed = new AtomicInteger();
    long started = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < joins; i++) {
      GatewayServer gateway = gateways.get(i % gateways.size());
      done.add(pool.submit(() -> {
        JsonNode joined = join(http, gateway, name);
        if (joined != null) {
          placed.incrementAndGet();
          perStage.merge(joined.path("stageId").asText(), 1, Integer::sum);
        }
      }));
    }
    await(done);
    return new Burst(placed.get(), (System.nanoTime() - started) / 1e9, new TreeMap<>(perStage));
  }

  /** Loses one of three replicas without a shutdown while its viewers watch; samples the reported audience. */
  private static void loss(BenchReport report, Broadcasts broadcasts, HttpClient http, ExecutorService pool,
      List<GatewayServer> gateways, Settings settings, PrintStream log) {
    String name = "replicas-loss";
    live(broadcasts, http, gateways, name, settings);
    List<String> presence = new ArrayList<>();
    List<Integer> placedBy = new ArrayList<>();
    List<WebSocket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < settings.lossViewers(); i++) {
      JsonNode joined = join(http, gateways.get(i % 3), name);
      if (joined == null) {
        continue;
      }
      presence.add(joined.path("presenceUrl").asText());
      placedBy.add(i % 3);
      sockets.add(socket(http, gateways.get(i % 3), joined.path("presenceUrl").asText()));
    }
    int viewers = presence.size();
    Map<String, Integer> before = waitForCount(broadcasts, name, viewers, Duration.ofSeconds(30));
    log.printf("%d viewers watching on 3 replicas; losing bench-gateway-3%n", viewers);
    GatewayServer lost = gateways.get(2);
    lost.halt();
    long lostAt = System.nanoTime();
    List<Future<?>> reopened = new ArrayList<>();
    for (int i = 0; i < presence.size(); i++) {
      if (placedBy.get(i) == 2) {
        String url = presence.get(i);
        // the Service routes the page's reconnect to a replica that is left
        reopened.add(pool.submit(() -> sockets.add(socket(http, gateways.get(0), url))));
      }
    }
    await(reopened);
    double reopenedIn = (System.nanoTime() - lostAt) / 1e9;
    double worstError = 0;
    Map<String, Integer> after = Map.of();
    long until = System.nanoTime() + settings.lossWindow().toNanos();
    while (System.nanoTime() < until) {
      after = new TreeMap<>(AudienceReports.freshViewers(Broadcasts.status(broadcasts.get(name)), Instant.now()));
      int counted = after.values().stream().mapToInt(Integer::intValue).sum();
      worstError = Math.max(worstError, Math.abs(counted - viewers) / (double) Math.max(1, viewers));
      sleep(100);
    }
    int moved = 0;
    for (String stage : before.keySet()) {
      moved += Math.max(0, before.get(stage) - after.getOrDefault(stage, 0));
    }
    report.figure("audience count error during a replica's loss", worstError, "",
        "largest |counted - " + viewers + "| / " + viewers + " over " + settings.lossWindow().toSeconds()
            + " s after the loss");
    report.figure("viewers off their stage after the loss", moved, "", "before " + before + ", after " + after);
    report.figure("sockets reopened on a survivor in", reopenedIn, "s", "the lost replica's viewers, all at once");
    report.goal("the lost replica's viewers are counted once", String.format("%.3f", worstError), worstError <= 0.05);
    report.goal("no watching viewer switches stage", String.valueOf(moved), moved == 0);
    List.copyOf(sockets).forEach(WebSocket::abort);
  }

  /**
   * Viewers held for a seat (one full stage, more can be added) asking again at once with their waitId, each time on
   * the next of 3 replicas (as a Service without affinity may route them); samples the waiting the reports add up to.
   */
  private static void waiting(BenchReport report, Broadcasts broadcasts, HttpClient http,
      List<GatewayServer> gateways, Settings settings, PrintStream log) {
    String name = "replicas-waiting";
    live(broadcasts, http, gateways, name, settings, 1);
    for (int i = 0, seated = 0; seated < settings.viewersPerStage() && i < 10 * settings.viewersPerStage(); i++) {
      seated += join(http, gateways.get(0), name) == null ? 0 : 1;
    }
    log.printf("%d viewers waiting, each asking again on the next of 3 replicas%n", settings.waiters());
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService askers = Executors.newFixedThreadPool(settings.waiters());
    List<Future<?>> asking = new ArrayList<>();
    for (int i = 0; i < settings.waiters(); i++) {
      int first = i;
      asking.add(askers.submit(() -> {
        String waitId = null;
        for (int attempt = first; !stop.get(); attempt++) {
          var reply = send(http, HttpRequest.newBuilder(uri(gateways.get(attempt % 3), base(name) + "/viewers"))
              .header("Content-Type", "application/json").header("Prefer", "wait=1")
              .POST(HttpRequest.BodyPublishers.ofString(waitId == null ? "{}" : "{\"waitId\":\"" + waitId + "\"}"))
              .build());
          if (reply != null && reply.statusCode() == 202) {
            waitId = JSON.readTree(reply.body()).path("waitId").asText();
          } else {
            sleep(200);
          }
        }
        return null;
      }));
    }
    // every waiter has asked at least twice before the sampling starts
    sleep(3_000);
    double worstError = 0;
    long samples = 0;
    long sum = 0;
    long until = System.nanoTime() + settings.lossWindow().toNanos();
    while (System.nanoTime() < until) {
      int counted = AudienceReports.freshWaiting(Broadcasts.status(broadcasts.get(name)), Instant.now());
      worstError = Math.max(worstError, Math.abs(counted - settings.waiters()) / (double) settings.waiters());
      sum += counted;
      samples++;
      sleep(100);
    }
    stop.set(true);
    askers.shutdown();
    await(asking);
    report.figure("waiting count error, waiters moving between 3 replicas", worstError, "",
        "largest |counted - " + settings.waiters() + "| / " + settings.waiters() + " over "
            + settings.lossWindow().toSeconds() + " s; mean counted " + (samples == 0 ? 0 : sum / samples));
    report.goal("each waiting viewer is counted once across replicas", String.format("%.3f", worstError),
        worstError <= 0.1);
  }

  /** Creates the broadcast with its Active stages and waits until every gateway lists them. */
  private static void live(Broadcasts broadcasts, HttpClient http, List<GatewayServer> gateways, String name,
      Settings settings) {
    live(broadcasts, http, gateways, name, settings, settings.stages());
  }

  /** Creates the broadcast (maxStages as the settings say) with {@code active} Active stages, seen by every gateway. */
  private static void live(Broadcasts broadcasts, HttpClient http, List<GatewayServer> gateways, String name,
      Settings settings, int active) {
    broadcasts.create(name, settings.viewersPerStage(), 1, settings.stages(), 0.8);
    List<StageStatus> stages = new ArrayList<>();
    for (int i = 1; i <= active; i++) {
      String id = name + "-s" + i;
      stages.add(new StageStatus(id, "arn:aws:ivs:us-east-1:123456789012:stage/" + id, StageStatus.ACTIVE, 0,
          Instant.now().toString(), new Endpoints("wss://global.events.live-video.net",
          "https://global.whip.live-video.net"), null));
    }
    broadcasts.setStages(name, stages);
    for (GatewayServer gateway : gateways) {
      Waits.until(Duration.ofSeconds(30), Duration.ofMillis(50), "the stages of " + name + " reaching a gateway",
          () -> {
            var reply = send(http, HttpRequest.newBuilder(uri(gateway, base(name) + "/stages"))
                .header("x-api-key", Broadcasts.apiKey(name)).GET().build());
            try {
              return reply != null && reply.statusCode() == 200
                  && JSON.readTree(reply.body()).path("stages").size() == active;
            } catch (java.io.IOException e) {
              return false;
            }
          });
    }
  }

  private static Map<String, Integer> waitForCount(Broadcasts broadcasts, String name, int viewers, Duration within) {
    var counted = new java.util.concurrent.atomic.AtomicReference<Map<String, Integer>>(Map.of());
    Waits.until(within, Duration.ofMillis(100), "the reports counting " + viewers + " viewers", () -> {
      counted.set(new TreeMap<>(AudienceReports.freshViewers(Broadcasts.status(broadcasts.get(name)), Instant.now())));
      return counted.get().values().stream().mapToInt(Integer::intValue).sum() == viewers;
    });
    return counted.get();
  }

  private static JsonNode join(HttpClient http, GatewayServer gateway, String name) {
    var reply = send(http, HttpRequest.newBuilder(uri(gateway, base(name) + "/viewers"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    try {
      return reply != null && reply.statusCode() == 201 ? JSON.readTree(reply.body()) : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static WebSocket socket(HttpClient http, GatewayServer gateway, String path) {
    URI uri = URI.create("ws://127.0.0.1:" + gateway.port() + path);
    return http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
    }).orTimeout(10, TimeUnit.SECONDS).join();
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static URI uri(GatewayServer gateway, String path) {
    return URI.create("http://127.0.0.1:" + gateway.port() + path);
  }

  private static String base(String name) {
    return "/api/v1/namespaces/" + BenchStack.NAMESPACE + "/livebroadcasts/" + name;
  }

  private static void await(List<Future<?>> done) {
    for (Future<?> f : done) {
      try {
        f.get(120, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("a benchmark client failed: " + e.getMessage(), e);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
