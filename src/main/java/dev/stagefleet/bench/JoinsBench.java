package dev.stagefleet.bench;

import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.ivs.IvsService.Capability;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * Scenario 1: viewer joins per second, each against yardsticks measured in the same run: (a) the raw rate at which
 * this JVM signs ES384 JWTs and (b) a bare Javalin endpoint answering static JSON. Throughput is measured at
 * saturation (open-loop arrivals far above capacity, a bounded number in flight); latency at a fixed rate below it.
 * Every measurement is repeated in interleaved rounds and the ratios are taken per round, so a neighbour's burst on a
 * shared machine hits both sides of a ratio. Also: tokens through the IVS API against the emulator (50/s quota).
 */
public final class JoinsBench {

  /**
   * Sizes of a run.
   *
   * @param duration       length of each throughput and latency measurement
   * @param warmup         load sent to each target before it is measured (JIT, connections)
   * @param rounds         interleaved repetitions; ratios are per round, the report gives their median
   * @param maxInFlight    outstanding requests at most (the load generator's connections)
   * @param signingThreads threads signing for yardstick (a)
   * @param latencyLoad    latency is measured at this fraction of the slowest target's saturation throughput
   * @param apiRate        arrivals per second offered to the IVS-API token path (IVS allows 50)
   * @param apiDuration    length of the IVS-API measurement
   */
  public record Settings(Duration duration, Duration warmup, int rounds, int maxInFlight, int signingThreads,
      double latencyLoad, double apiRate, Duration apiDuration) {
    public Settings {
      if (rounds < 1) {
        throw new IllegalArgumentException("rounds must be at least 1");
      }
      if (!(latencyLoad > 0 && latencyLoad <= 1)) {
        throw new IllegalArgumentException("latency load must be in (0, 1], got " + latencyLoad);
      }
    }

    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(10), Duration.ofSeconds(3), 3, 64,
          Runtime.getRuntime().availableProcessors(), 0.5, 100, Duration.ofSeconds(10));
    }
  }

  /** One target of the load: where it listens and how to build request {@code i}. */
  private record Target(String name, URI uri, IntFunction<HttpLoad.Request> request) {
  }

  private static final double SATURATION_RATE = 50_000;

  private JoinsBench() {
  }

  public static BenchReport run(Settings settings, PrintStream progress) {
    BenchReport report = new BenchReport("1. viewer joins", Instant.now())
        .parameter("duration", settings.duration()).parameter("rounds", settings.rounds())
        .parameter("inFlight", settings.maxInFlight()).parameter("signingThreads", settings.signingThreads());
    try (BenchStack stack = BenchStack.start(); StaticJsonServer bare = StaticJsonServer.start()) {
      Target staticJson = new Target("bare Javalin static JSON", bare.uri(), post(bare.uri(), "{}"));
      List<Target> targets = List.of(staticJson);
      for (Target target : targets) {
        progress.println("warming up " + target.name());
        HttpLoad.run(target.uri(), new OpenLoop.Plan(SATURATION_RATE, settings.warmup(), settings.maxInFlight()),
            target.request());
      }
      SigningRate.measure(settings.signingThreads(), settings.warmup(), Duration.ofMillis(1));

      List<Double> signing = new ArrayList<>();
      List<Double> bareRates = new ArrayList<>();
      for (int round = 1; round <= settings.rounds(); round++) {
        double a = SigningRate.measure(settings.signingThreads(), Duration.ZERO, settings.duration());
        OpenLoop.Result b = saturate(settings, staticJson);
        signing.add(a);
        bareRates.add(b.throughput());
        progress.printf(Locale.ROOT, "round %d: (a) signing %.0f/s, (b) bare Javalin %.0f/s%n", round, a,
            b.throughput());
      }
      double a = median(signing);
      double b = median(bareRates);
      report.figure("(a) ES384 signing rate", a, "tokens/s", settings.signingThreads() + " threads, no HTTP; median of "
          + settings.rounds());
      report.figure("(b) bare Javalin static JSON", b, "req/s", "saturation, " + settings.maxInFlight()
          + " in flight; median of " + settings.rounds());
      double latencyRate = Math.max(1, settings.latencyLoad() * Math.min(a, b));
      OpenLoop.Result bareLatency = HttpLoad.run(staticJson.uri(), new OpenLoop.Plan(latencyRate,
          settings.duration(), settings.maxInFlight()), staticJson.request());
      latencyFigures(report, "(b) bare Javalin", bareLatency, latencyRate);

      apiMode(stack, settings, report, progress);
    }
    return report;
  }

  /** Tokens through CreateParticipantToken against the emulator: the client-side limiter keeps to IVS's 50/s. */
  private static void apiMode(BenchStack stack, Settings settings, BenchReport report, PrintStream progress) {
    IvsService ivs = stack.ivs();
    String stageArn = ivs.createStage("bench-api-tokens", Map.of("stagefleet.dev/managed-by", "bench")).arn();
    ExecutorService pool = Executors.newFixedThreadPool(settings.maxInFlight(), r -> {
      Thread t = new Thread(r, "bench-ivs-call");
      t.setDaemon(true);
      return t;
    });
    try {
      IntFunction<CompletableFuture<OpenLoop.Answer>> mint = i -> CompletableFuture.supplyAsync(() -> {
        ivs.createParticipantToken(stageArn, Set.of(Capability.SUBSCRIBE), Duration.ofMinutes(60), "viewer-" + i,
            Map.of());
        return new OpenLoop.Answer(200, "");
      }, pool);
      stack.emulator().stats().reset();
      OpenLoop.Result saturated = OpenLoop.runCalls(new OpenLoop.Plan(settings.apiRate(),
          settings.apiDuration(), settings.maxInFlight()), mint, (i, s, b) -> { });
      long throttled = stack.emulator().stats().throttled();
      progress.printf(Locale.ROOT, "IVS API tokens: %.1f/s offered %.0f/s, %d throttled%n", saturated.throughput(),
          settings.apiRate(), throttled);
      report.figure("IVS API tokens (CreateParticipantToken, emulator)", saturated.throughput(), "tokens/s",
          String.format(Locale.ROOT, "offered %.0f/s; IVS quota 50/s; %d answered 429", settings.apiRate(), throttled));
      report.figure("IVS API tokens / IVS quota 50/s", saturated.throughput() / 50.0, "ratio", "");
      double underQuota = 40;
      OpenLoop.Result latency = OpenLoop.runCalls(new OpenLoop.Plan(underQuota,
          settings.apiDuration(), settings.maxInFlight()), mint, (i, s, b) -> { });
      latencyFigures(report, "IVS API tokens", latency, underQuota);
    } finally {
      pool.shutdownNow();
    }
  }

  private static OpenLoop.Result saturate(Settings settings, Target target) {
    return HttpLoad.run(target.uri(), new OpenLoop.Plan(SATURATION_RATE, settings.duration(),
        settings.maxInFlight()), target.request());
  }

  static void latencyFigures(BenchReport report, String what, OpenLoop.Result result, double rate) {
    String how = String.format(Locale.ROOT, "open loop at %.0f/s, %d ok of %d sent", rate, result.ok(), result.sent());
    report.figure(what + " latency p50", Latencies.millis(result.latencies().median()), "ms", how);
    report.figure(what + " latency p99", Latencies.millis(result.latencies().p99()), "ms", how);
  }

  static IntFunction<HttpLoad.Request> post(URI uri, String body) {
    HttpLoad.Request request = HttpLoad.post(uri, body);
    return i -> request;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
