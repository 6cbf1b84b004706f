package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Warms a starting gateway's join path up before it reports ready. A JVM runs new code interpreted until its JIT has
 * seen it often enough, and a gateway that meets a storm cold seats a few hundred viewers a second for its first
 * second or two while a thousand arrive: the line that builds then takes seconds to drain (measured by {@code bench
 * join-storm}: a held viewer's p99 wait 1.1–1.3 s cold, 0.25–0.3 s once the gateway had served 10,000 joins).
 *
 * <p>So before {@code /ready} turns 200 the gateway serves joins to itself, over HTTP on the loopback, through a
 * private copy of itself: the same classes (HTTP, JSON, placement, waiting room, ES384 signing with the fastest
 * provider), but its own fixed broadcast that no cluster holds, its own throwaway signing key, its own metrics, and no
 * audience reports, so nothing of the warm-up is ever seen outside the process. The tokens it mints are for stages
 * that do not exist, signed by a key IVS does not know, and are dropped.
 */
final class GatewayWarmUp {
  /** Joins served at start-up by default (the settings' {@code warmUpJoins}). */
  static final int JOINS = 6_000;
  /** The warm-up stops after this long whatever it has served (a slow or starved machine). */
  static final Duration WITHIN = Duration.ofSeconds(10);
  static final String NAMESPACE = "stagefleet-warm-up";
  static final String NAME = "warm-up";
  /** Joins in flight at once: a storm comes over many connections, and Jetty's threads get warmed up too. */
  static final int CONNECTIONS = 8;
  private static final int VIEWERS_PER_STAGE = 500;
  private static final String ACCOUNT_ARN = "arn:aws:ivs:us-east-1:000000000000:";

  record Result(int placed, int failed, Duration took) {
  }

  private GatewayWarmUp() {
  }

  /**
   * Serves up to {@code joins} joins through a private copy of a gateway with {@code settings}, for at most
   * {@code within}; a join that fails is counted, and only a copy that cannot start (no free loopback port) throws.
   */
  static Result run(GatewaySettings settings, int joins, Duration within) {
    long start = System.nanoTime();
    if (joins <= 0) {
      return new Result(0, 0, Duration.ZERO);
    }
    Clock clock = Clock.systemUTC();
    GatewaySettings own = settings.toBuilder().warmUpJoins(0).host("127.0.0.1").port(0).metricsPort(-1)
        .namespaces(List.of(NAMESPACE)).tokenMode(GatewaySettings.TokenMode.SELF_SIGNED).keySecret(null)
        .keyFile(null).keyArn(null).corsOrigins(List.of()).webRoot(null).sdkFile(null)
        .viewerJoinsPerSecondPerIp(Integer.MAX_VALUE).trustForwardedFor(false).claimsKeyFile(null).build();
    var key = new SigningKey((ECPrivateKey) SigningKey.generateKeyPair().getPrivate(),
        ACCOUNT_ARN + "public-key/warm-up");
    var minter = new SelfSignedTokenMinter(key, clock);
    int stages = (joins + VIEWERS_PER_STAGE - 1) / VIEWERS_PER_STAGE;
    GatewayServer server = GatewayServer.detached(own, BroadcastDirectory.fixed(List.of(broadcast(stages))), minter,
        clock).serveOnly();
    ExecutorService callers = Executors.newFixedThreadPool(CONNECTIONS + 1, r -> {
      Thread t = new Thread(r, "gateway-warm-up");
      t.setDaemon(true);
      return t;
    });
    AtomicInteger issued = new AtomicInteger();
    AtomicInteger placed = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(callers)
          .connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest join = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
              + "/api/v1/namespaces/" + NAMESPACE + "/livebroadcasts/" + NAME + "/viewers"))
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
      long deadline = start + within.toNanos();
      List<Thread> loops = new ArrayList<>();
      for (int c = 0; c < CONNECTIONS; c++) {
        Thread loop = new Thread(() -> {
          while (issued.getAndIncrement() < joins && System.nanoTime() < deadline
              && failed.get() < CONNECTIONS * 4) {
            try {
              int status = http.send(join, HttpResponse.BodyHandlers.discarding()).statusCode();
              (status == 201 ? placed : failed).incrementAndGet();
            } catch (IOException e) {
              failed.incrementAndGet();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }, "gateway-warm-up-" + c);
        loop.setDaemon(true);
        loop.start();
        loops.add(loop);
      }
      for (Thread loop : loops) {
        loop.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 5_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      server.halt();
      callers.shutdownNow();
    }
    return new Result(placed.get(), failed.get(), Duration.ofNanos(System.nanoTime() - start));
  }

  /** The warm-up's broadcast: {@code stages} active stages of {@value #VIEWERS_PER_STAGE} seats, never reported. */
  private static LiveBroadcast broadcast(int stages) {
    LiveBroadcast broadcast = new LiveBroadcast();
    broadcast.setMetadata(new ObjectMetaBuilder().withNamespace(NAMESPACE).withName(NAME)
        .withUid(UUID.randomUUID().toString()).withGeneration(1L).build());
    LiveBroadcastSpec spec = new LiveBroadcastSpec();
    spec.setViewersPerStage(VIEWERS_PER_STAGE);
    spec.setMinStages(stages);
    spec.setMaxStages(stages);
    var broadcaster = new LiveBroadcastSpec.Broadcaster();
    // never read: the warm-up has no Secrets and serves no broadcaster
    broadcaster.setApiKeySecretRef(new LiveBroadcastSpec.SecretKeyRef(NAME + "-key", "apiKey"));
    spec.setBroadcaster(broadcaster);
    broadcast.setSpec(spec);
    LiveBroadcastStatus status = new LiveBroadcastStatus();
    List<StageStatus> list = new ArrayList<>();
    for (int i = 0; i < stages; i++) {
      String id = "warmup" + i;
      list.add(new StageStatus(id, ACCOUNT_ARN + "stage/" + id, StageStatus.ACTIVE, 0, Instant.now().toString(),
          new LiveBroadcastStatus.Endpoints("wss://127.0.0.1/events", "https://127.0.0.1/whip"), null));
    }
    status.setStages(list);
    status.setAudience(new HashMap<>());
    broadcast.setStatus(status);
    return broadcast;
  }
}
