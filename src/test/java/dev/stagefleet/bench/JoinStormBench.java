package dev.stagefleet.bench;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 5: a join storm. V viewers arrive at an even rate over T seconds (open loop) at a broadcast that starts with
 * one stage; the operator adds stages as the gateway reports placed and waiting viewers. Each viewer asks as the
 * viewer page does: {@code Prefer: wait=N}, and on a 202 (held for a seat, no seat yet) at once again with its
 * waitId. A viewer answered 503 (at maxStages) or 409 (no stage yet) comes back after the Retry-After (at most
 * {@code maxRetryWait}) plus up to a second of jitter. Figures: time until every viewer is placed against the arrival
 * window T and the IVS floor (the stages needed at CreateStage's 5 calls a second), viewers placed without a refusal,
 * the fullest stage against viewersPerStage (never over), the held viewers' wait, CreateStage calls and throttling.
 */
public final class JoinStormBench {

  /**
   * Sizes of a run.
   *
   * @param viewers         V, viewers arriving
   * @param window          T, the arrival window
   * @param viewersPerStage the broadcast's stage capacity
   * @param connections     the load generator's connections (requests in flight at most)
   * @param giveUp          how long after the first arrival the run stops waiting for stragglers
   * @param maxRetryWait    a viewer told to retry waits Retry-After, but at most this long
   * @param targetFill      the broadcast's spec.scaling.targetFill
   * @param warmUpJoins     joins on another broadcast before the storm (0: the storm meets a gateway that has served
   *                        no one but its own start-up warm-up)
   * @param gatewayWarmUpJoins the gateway's own start-up warm-up ({@code GatewaySettings.warmUpJoins}; 0: none, and
   *                        the storm meets a gateway whose join path the JIT has not compiled yet)
   */
  public record Settings(int viewers, Duration window, int viewersPerStage, int connections, Duration giveUp,
      Duration maxRetryWait, double targetFill, int warmUpJoins, int gatewayWarmUpJoins) {
    public Settings(int viewers, Duration window, int viewersPerStage, int connections, Duration giveUp,
        Duration maxRetryWait, double targetFill) {
      this(viewers, window, viewersPerStage, connections, giveUp, maxRetryWait, targetFill, 0,
          GatewaySettings.defaults().warmUpJoins());
    }

    public Settings {
      if (gatewayWarmUpJoins < 0 || gatewayWarmUpJoins > GatewaySettings.MAX_WARM_UP_JOINS) {
        throw new IllegalArgumentException("the gateway's warm-up joins must be between 0 and "
            + GatewaySettings.MAX_WARM_UP_JOINS);
      }
      if (warmUpJoins < 0 || warmUpJoins > WARM_UP_SEATS) {
        throw new IllegalArgumentException("the warm-up joins must be between 0 and " + WARM_UP_SEATS);
      }
      if (!(targetFill > 0 && targetFill <= 1)) {
        throw new IllegalArgumentException("the target fill must be above 0 and at most 1");
      }
      if (viewers < 1 || viewersPerStage < 1 || connections < 1) {
        throw new IllegalArgumentException("viewers, viewers per stage and connections must be at least 1");
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("the arrival window must be positive");
      }
    }
  }

  static final String BROADCAST = "storm";
  /** The warm-up broadcast's one stage: room for every warm-up join (IVS's subscribers per stage). */
  static final int WARM_UP_SEATS = 10_000;
  /** How long each join asks to be held for a seat ({@code Prefer: wait=N}); short, so a connection is soon free. */
  static final int HOLD_SECONDS = 5;
  /** IVS's CreateStage rate: the floor for adding stages. */
  static final double CREATE_STAGE_PER_SECOND = 5;
  private static final Pattern WAIT_ID = Pattern.compile("\"waitId\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern STAGE_ID = Pattern.compile("\"stageId\"\\s*:\\s*\"([^\"]+)\"");

  private JoinStormBench() {
  }

  /**
   * Joins on a broadcast of its own, one stage with room for all, before the storm (then deleted), as a gateway that
   * has served viewers before has compiled its join path; the number placed.
   */
  private static long warmUp(Settings settings, Broadcasts broadcasts, int port, PrintStream progress) {
    if (settings.warmUpJoins() == 0) {
      return 0;
    }
    String name = "warm-up";
    broadcasts.create(name, WARM_UP_SEATS, 1, 1, 0.8);
    Waits.until(Duration.ofSeconds(60), Duration.ofMillis(50), "the warm-up broadcast's stage",
        () -> Broadcasts.activeStages(broadcasts.get(name)) == 1);
    URI warm = URI.create("http://127.0.0.1:" + port + "/api/v1/namespaces/" + BenchStack.NAMESPACE
        + "/livebroadcasts/" + name + "/viewers");
    double rate = 2_000;
    OpenLoop.Result result = HttpLoad.run(warm, new OpenLoop.Plan(rate,
        Duration.ofMillis((long) Math.ceil(settings.warmUpJoins() * 1000 / rate)), 64),
        i -> HttpLoad.post(warm, "{}"));
    progress.println("warm-up: " + result.ok() + " joins placed on " + name);
    broadcasts.delete(name);
    Waits.until(Duration.ofSeconds(60), Duration.ofMillis(50), "the warm-up broadcast gone",
        () -> broadcasts.list().stream().noneMatch(b -> name.equals(b.getMetadata().getName())));
    return result.ok();
  }

  /** One attempt of one viewer, due at a time; {@code waitId} keeps its place in line. */
  private record Attempt(int viewer, int number, long due, String waitId) implements Delayed {
    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(due, ((Attempt) other).due);
    }
  }

  public static BenchReport run(Settings settings, PrintStream progress) {
    int stagesNeeded = (int) Math.ceil(settings.viewers() / (settings.viewersPerStage() * settings.targetFill()));
    int maxStages = stagesNeeded + 1;
    BenchReport report = new BenchReport("5. join storm", Instant.now())
        .parameter("viewers", settings.viewers()).parameter("window", settings.window())
        .parameter("viewersPerStage", settings.viewersPerStage()).parameter("maxStages", maxStages)
        .parameter("connections", settings.connections()).parameter("maxRetryWait", settings.maxRetryWait())
        .parameter("targetFill", settings.targetFill()).parameter("hold", "Prefer: wait=" + HOLD_SECONDS)
        .parameter("warmUpJoins", settings.warmUpJoins())
        .parameter("gatewayWarmUpJoins", settings.gatewayWarmUpJoins());
    try (BenchStack stack = BenchStack.start()) {
      stack.startOperator(s -> s);
      // viewers here never open a presence socket; they must count for the whole run, not 30 s
      GatewayServer gateway = stack.startGateway(TokenMode.SELF_SIGNED, s -> s.toBuilder()
          .audienceReportInterval(Duration.ofSeconds(1)).audienceRefreshInterval(Duration.ofSeconds(10))
          .pendingViewerWindow(Duration.ofMinutes(30)).warmUpJoins(settings.gatewayWarmUpJoins()).build());
      Broadcasts broadcasts = new Broadcasts(stack.client(), BenchStack.NAMESPACE);
      broadcasts.create(BROADCAST, settings.viewersPerStage(), 1, maxStages, settings.targetFill());
      Waits.until(Duration.ofSeconds(60), Duration.ofMillis(50), "the broadcast's first stage",
          () -> Broadcasts.activeStages(broadcasts.get(BROADCAST)) == 1);
      URI join = URI.create("http://127.0.0.1:" + gateway.port() + "/api/v1/namespaces/" + BenchStack.NAMESPACE
          + "/livebroadcasts/" + BROADCAST + "/viewers");
      awaitGatewaySeesAStage(gateway.port());
      // before the count: the warm-up broadcast's CreateStage is not the storm's
      long warmedUp = warmUp(settings, broadcasts, gateway.port(), progress);
      long createsBefore = stack.emulator().stats().calls("CreateStage");

      Storm storm = new Storm(settings, join);
      storm.run(progress);

      double placedSeconds = storm.lastPlaced.get() == 0 ? Double.NaN
          : (storm.lastPlaced.get() - storm.start) / 1e9;
      int placed = storm.placedCount.get();
      Map<String, Integer> perStage = new TreeMap<>();
      storm.stageOf.values().forEach(stage -> perStage.merge(stage, 1, Integer::sum));
      int fullest = perStage.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      double windowSeconds = settings.window().toNanos() / 1e9;
      long rejected = storm.status.getOrDefault(503, new AtomicLong()).get()
          + storm.status.getOrDefault(409, new AtomicLong()).get();
      long neverRefused = settings.viewers() - storm.refusedViewers.size();
      double floorSeconds = (stagesNeeded - 1) / CREATE_STAGE_PER_SECOND;
      var waits = gateway.metrics().registry().find("stagefleet.gateway.viewer.wait").timer();
      var waitSnapshot = waits == null ? null : waits.takeSnapshot();
      long creates = stack.emulator().stats().calls("CreateStage") - createsBefore;
      long throttled = stack.emulator().stats().throttled();
      Latencies firstTry = Latencies.of(storm.firstTryLatencies(), storm.firstTryCount());

      report.figure("viewers placed", placed, "of " + settings.viewers(), "");
      if (settings.warmUpJoins() > 0) {
        report.figure("warm-up joins placed before the storm", warmedUp, "of " + settings.warmUpJoins(),
            "on another broadcast, deleted before the storm");
      }
      report.figure("time until all placed", placedSeconds, "s", "from the first arrival");
      report.figure("time until all placed / arrival window", placedSeconds / windowSeconds, "ratio",
          String.format(Locale.ROOT, "window %.0f s", windowSeconds));
      report.figure("IVS floor: " + (stagesNeeded - 1) + " more stages at 5 CreateStage/s", floorSeconds, "s",
          "the yardstick");
      report.figure("time until all placed / max(window, window-end + IVS floor)", placedSeconds
          / Math.max(windowSeconds, floorSeconds), "ratio", "goal <= 1.1");
      report.figure("viewers placed without being refused", 100.0 * neverRefused / settings.viewers(), "%",
          "never answered 503/409; goal >= 99 %");
      report.figure("stages used", perStage.size(), "stages", stagesNeeded + " needed, at most " + maxStages);
      report.figure("CreateStage calls", creates, "calls", (stagesNeeded - 1) + " stages needed beyond the first");
      report.figure("throttled IVS calls", throttled, "calls", "goal 0");
      report.figure("viewers held for a seat", waitSnapshot == null ? 0 : waitSnapshot.count(), "viewers",
          "the gateway's stagefleet_gateway_viewer_wait_seconds");
      report.figure("held viewers' wait p50", waitSnapshot == null ? 0 : millis(waitSnapshot, 0.5), "ms",
          "arrival at the gateway to seat");
      report.figure("held viewers' wait p99", waitSnapshot == null ? 0 : millis(waitSnapshot, 0.99), "ms",
          "goal <= 1 s + CreateStage latency");
      report.figure("fullest stage / viewersPerStage", (double) fullest / settings.viewersPerStage(), "ratio",
          fullest + " of " + settings.viewersPerStage() + " (from the join answers)");
      report.figure("answers 503/409 (full, no stage yet)", rejected, "answers", "each retried after Retry-After");
      report.figure("attempts per viewer", (double) storm.attempts.get() / settings.viewers(), "attempts", "");
      report.figure("other failures", storm.failures(), "answers", "not 201, 503 or 409; transport errors");
      report.figure("placed at first try", storm.firstTryCount(), "viewers", "");
      report.figure("first-try join latency p50", Latencies.millis(firstTry.median()), "ms",
          "from the intended arrival time");
      report.figure("first-try join latency p99", Latencies.millis(firstTry.p99()), "ms",
          "from the intended arrival time");

      // the gateway's own audience report must agree: nobody over capacity there either
      int reportedFullest = reportedFullest(broadcasts);
      report.figure("fullest stage in the gateway's audience report", reportedFullest, "viewers", "");
      report.goal("no stage over capacity (" + settings.viewersPerStage() + ")",
          "fullest " + Math.max(fullest, reportedFullest), fullest <= settings.viewersPerStage()
              && reportedFullest <= settings.viewersPerStage());
      report.goal("time until all placed <= 1.1 x max(window, IVS floor)", String.format(Locale.ROOT, "%.2f",
          placedSeconds / Math.max(windowSeconds, floorSeconds)),
          placedSeconds <= 1.1 * Math.max(windowSeconds, floorSeconds));
      report.goal(">= 99 % placed without being refused", neverRefused + " of " + settings.viewers(),
          neverRefused >= 0.99 * settings.viewers());
      report.goal("no throttled IVS call", throttled + " throttled", throttled == 0);
      // the emulator's CreateStage takes what its faults add (nothing unless a run asks for it)
      var faults = stack.emulator().faults();
      double createMillis = faults.latency().plus(faults.operationLatency("CreateStage")).toNanos() / 1e6;
      double waitP99 = waitSnapshot == null ? 0 : millis(waitSnapshot, 0.99);
      report.goal(String.format(Locale.ROOT, "held viewers' wait p99 <= 1 s + CreateStage latency (%.0f ms)",
          createMillis), String.format(Locale.ROOT, "%.0f ms", waitP99), waitP99 <= 1000 + createMillis);
      report.goal("all " + settings.viewers() + " viewers placed", placed + " placed"
          + (Double.isNaN(placedSeconds) ? "" : String.format(Locale.ROOT, " in %.1f s", placedSeconds)),
          placed == settings.viewers());
    }
    return report;
  }

  /** A percentile of the gateway's wait timer in milliseconds (the timer publishes p50 and p99). */
  private static double millis(io.micrometer.core.instrument.distribution.HistogramSnapshot snapshot, double p) {
    for (var value : snapshot.percentileValues()) {
      if (Math.abs(value.percentile() - p) < 1e-6) {
        return value.value(TimeUnit.MILLISECONDS);
      }
    }
    return Double.NaN;
  }

  private static void awaitGatewaySeesAStage(int port) {
    awaitGatewaySeesAStage(port, BROADCAST);
  }

  /** The broadcaster API lists the stages the gateway knows: wait until it knows one (no viewer is placed). */
  static void awaitGatewaySeesAStage(int port, String broadcast) {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest stages = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/v1/namespaces/" + BenchStack.NAMESPACE + "/livebroadcasts/" + broadcast + "/stages"))
        .header("x-api-key", Broadcasts.apiKey(broadcast)).timeout(Duration.ofSeconds(5)).build();
    Waits.until(Duration.ofSeconds(30), Duration.ofMillis(50), "the gateway seeing the first stage", () -> {
      try {
        var answer = http.send(stages, java.net.http.HttpResponse.BodyHandlers.ofString());
        return answer.statusCode() == 200 && answer.body().contains("stageArn");
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    });
  }

  private static int reportedFullest(Broadcasts broadcasts) {
    Map<String, AudienceReport> audience = Broadcasts.status(broadcasts.get(BROADCAST)).audienceOrEmpty();
    AudienceReport report = audience.get("bench-gateway");
    return report == null || report.getViewers() == null ? 0
        : report.getViewers().values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /** The storm itself: arrivals, retries and what every viewer was answered. */
  private static final class Storm {
    private final Settings settings;
    private final InetSocketAddress address;
    private final URI join;
    final java.util.Set<Integer> refusedViewers = ConcurrentHashMap.newKeySet();
    private final DelayQueue<Attempt> due = new DelayQueue<>();
    final Map<Integer, String> stageOf = new ConcurrentHashMap<>();
    final Map<Integer, AtomicLong> status = new ConcurrentHashMap<>();
    final AtomicInteger placedCount = new AtomicInteger();
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicLong lastPlaced = new AtomicLong();
    private final long[] firstTry;
    private final AtomicInteger firstTries = new AtomicInteger();
    long start;

    Storm(Settings settings, URI join) {
      this.settings = settings;
      this.address = new InetSocketAddress(join.getHost(), join.getPort());
      this.join = join;
      this.firstTry = new long[settings.viewers()];
    }

    void run(PrintStream progress) {
      start = System.nanoTime() + 50_000_000L;
      double gap = (double) settings.window().toNanos() / settings.viewers();
      for (int i = 0; i < settings.viewers(); i++) {
        due.add(new Attempt(i, 1, start + (long) (i * gap), null));
      }
      long giveUpAt = start + settings.giveUp().toNanos();
      List<Thread> workers = new ArrayList<>();
      for (int c = 0; c < settings.connections(); c++) {
        Thread worker = new Thread(() -> work(giveUpAt), "storm-" + c);
        worker.setDaemon(true);
        workers.add(worker);
        worker.start();
      }
      long lastPrint = System.nanoTime();
      while (placedCount.get() < settings.viewers() && System.nanoTime() < giveUpAt) {
        sleep(100);
        if (System.nanoTime() - lastPrint > 2_000_000_000L) {
          progress.printf(Locale.ROOT, "storm: %.0f s, %d of %d placed, %d attempts%n",
              (System.nanoTime() - start) / 1e9, placedCount.get(), settings.viewers(), attempts.get());
          lastPrint = System.nanoTime();
        }
      }
      for (Thread worker : workers) {
        worker.interrupt();
      }
      for (Thread worker : workers) {
        try {
          worker.join(35_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void work(long giveUpAt) {
      HttpConnection connection = new HttpConnection(address);
      try {
        while (placedCount.get() < settings.viewers() && System.nanoTime() < giveUpAt) {
          Attempt attempt = due.poll(100, TimeUnit.MILLISECONDS);
          if (attempt == null) {
            continue;
          }
          attempts.incrementAndGet();
          HttpConnection.Answer answer;
          byte[] request = HttpLoad.post(join, attempt.waitId() == null ? "{}"
              : "{\"waitId\":\"" + attempt.waitId() + "\"}", "Prefer", "wait=" + HOLD_SECONDS).bytes();
          try {
            answer = connection.exchange(request, true);
          } catch (IOException e) {
            connection.close();
            count(-1);
            due.add(new Attempt(attempt.viewer(), attempt.number() + 1, System.nanoTime() + 1_000_000_000L,
                attempt.waitId()));
            continue;
          }
          long now = System.nanoTime();
          count(answer.status());
          if (answer.status() == 201) {
            Matcher stage = STAGE_ID.matcher(answer.body() == null ? "" : answer.body());
            stageOf.put(attempt.viewer(), stage.find() ? stage.group(1) : "?");
            placedCount.incrementAndGet();
            lastPlaced.accumulateAndGet(now, Math::max);
            if (attempt.number() == 1) {
              firstTry[firstTries.getAndIncrement()] = now - attempt.due();
            }
          } else if (answer.status() == 202) {
            // held without a seat yet: ask again at once, keeping the place in line
            Matcher waitId = WAIT_ID.matcher(answer.body() == null ? "" : answer.body());
            due.add(new Attempt(attempt.viewer(), attempt.number() + 1, now, waitId.find() ? waitId.group(1) : null));
          } else {
            if (answer.status() == 503 || answer.status() == 409) {
              refusedViewers.add(attempt.viewer());
            }
            long retryAfter = Math.min(settings.maxRetryWait().toNanos(), answer.retryAfterSeconds() > 0
                ? answer.retryAfterSeconds() * 1_000_000_000L : 1_000_000_000L);
            long jitter = ThreadLocalRandom.current().nextLong(1_000_000_000L);
            due.add(new Attempt(attempt.viewer(), attempt.number() + 1, now + retryAfter + jitter, null));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        connection.close();
      }
    }

    private void count(int code) {
      status.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
    }

    long failures() {
      return status.entrySet().stream()
          .filter(e -> e.getKey() != 201 && e.getKey() != 202 && e.getKey() != 503 && e.getKey() != 409)
          .mapToLong(e -> e.getValue().get()).sum();
    }

    long[] firstTryLatencies() {
      return firstTry;
    }

    int firstTryCount() {
      return Math.min(firstTries.get(), firstTry.length);
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
