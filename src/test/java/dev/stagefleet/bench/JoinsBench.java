package dev.stagefleet.bench;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.Endpoints;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.crypto.Es384Provider;
import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.ivs.SdkIvsService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * Scenario 1: viewer joins per second through the gateway (self-signed tokens, placement, HTTP), against yardsticks
 * measured in the same run: (a) the raw rate at which this JVM signs ES384 JWTs with the fastest provider it has (the
 * one the gateway signs with; the JDK's SunEC rate is reported beside it) and (b) a bare Javalin endpoint
 * answering static JSON. Throughput is measured at saturation (open-loop arrivals far above capacity, a bounded number
 * in flight); latency at a fixed rate below it. The measurements are repeated in interleaved rounds and the ratio is
 * taken per round, so a neighbour's burst on a shared machine hits both sides of a ratio. Also: joins through a
 * gateway in IVS API token mode against the emulator, which allows CreateParticipantToken 50 times a second.
 *
 * <p>The gateway runs alone (no operator): the broadcast's stages are created in the emulator and written into its
 * status as the operator would, so the figures describe the gateway. The broadcast has a seat for every join the run
 * can offer (sized from the signing rate, which bounds the gateway), so a join answered other than 2xx is a failure
 * of the gateway, and fails the goal.
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
   * @param latencyLoad    latency is measured at this fraction of the gateway's saturation throughput
   * @param apiRate        joins per second offered to the gateway in IVS API token mode (IVS allows 50)
   * @param apiDuration    length of each API-mode measurement
   * @param stages         stages of the benchmark broadcast at least (10,000 viewers each; more when the load needs)
   * @param profile        where to write a JFR profile of one more saturation of the gateway, or null for none
   */
  public record Settings(Duration duration, Duration warmup, int rounds, int maxInFlight, int signingThreads,
      double latencyLoad, double apiRate, Duration apiDuration, int stages, java.nio.file.Path profile) {
    public Settings {
      if (rounds < 1) {
        throw new IllegalArgumentException("rounds must be at least 1");
      }
      if (!(latencyLoad > 0 && latencyLoad <= 1)) {
        throw new IllegalArgumentException("latency load must be in (0, 1], got " + latencyLoad);
      }
      if (stages < 1) {
        throw new IllegalArgumentException("stages must be at least 1");
      }
    }
  }

  /** One target of the load: where it listens and how to build request {@code i}. */
  private record Target(String name, URI uri, IntFunction<HttpLoad.Request> request) {
  }

  static final String BROADCAST = "joins";
  private static final double SATURATION_RATE = 50_000;
  private static final int VIEWERS_PER_STAGE = 10_000;
  private static final int MAX_STAGES = 1_000;
  /** Seats per second of join load, as a multiple of the signing rate: the gateway cannot sign faster than (a). */
  private static final double SEATS_PER_SIGNATURE = 2;

  private JoinsBench() {
  }

  public static BenchReport run(Settings settings, PrintStream progress) {
    BenchReport report = new BenchReport("1. viewer joins through the gateway", Instant.now())
        .parameter("duration", settings.duration()).parameter("rounds", settings.rounds())
        .parameter("inFlight", settings.maxInFlight()).parameter("signingThreads", settings.signingThreads());
    Es384Provider fastest = Es384Provider.fastest();
    Es384Provider jdk = Es384Provider.jdk();
    try (BenchStack stack = BenchStack.start(); StaticJsonServer bare = StaticJsonServer.start()) {
      progress.println("ES384 signer: " + fastest + (fastest.isNative() ? " (native AWS-LC)" : " (the JDK's)"));
      int stages = stagesFor(settings, SigningRate.measure(fastest, settings.signingThreads(), settings.warmup(),
          Duration.ofSeconds(1)));
      progress.println("broadcast: " + stages + " stages of " + VIEWERS_PER_STAGE + " seats");
      report.parameter("stages", stages).parameter("signer", fastest.name());
      Broadcasts broadcasts = new Broadcasts(stack.client(), BenchStack.NAMESPACE);
      broadcasts.create(BROADCAST, VIEWERS_PER_STAGE, stages, stages, 0.8);
      broadcasts.setStages(BROADCAST, createStages(stack, stages));
      GatewayServer gateway = stack.startGateway(TokenMode.SELF_SIGNED, UnaryOperator.identity());
      Target joins = joinTarget("gateway joins (self-signed)", gateway.port());
      Target staticJson = new Target("bare Javalin static JSON", bare.uri(), constant(HttpLoad.post(bare.uri(), "{}")));
      awaitJoinable(joins);

      for (Target target : List.of(staticJson, joins)) {
        progress.println("warming up: " + target.name());
        HttpLoad.run(target.uri(), new OpenLoop.Plan(SATURATION_RATE, settings.warmup(), settings.maxInFlight()),
            target.request());
      }
      progress.println("warming up: ES384 signing with " + jdk.name());
      SigningRate.measure(jdk, settings.signingThreads(), settings.warmup(), Duration.ofMillis(1));

      List<Double> signing = new ArrayList<>();
      List<Double> jdkSigning = new ArrayList<>();
      List<Double> bareRates = new ArrayList<>();
      List<Double> joinRates = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      List<Double> boundRatios = new ArrayList<>();
      long joinFailures = 0;
      for (int round = 1; round <= settings.rounds(); round++) {
        double a = SigningRate.measure(fastest, settings.signingThreads(), Duration.ZERO, settings.duration());
        double aJdk = fastest.equals(jdk) ? a
            : SigningRate.measure(jdk, settings.signingThreads(), Duration.ZERO, settings.duration());
        OpenLoop.Result b = saturate(settings, staticJson);
        OpenLoop.Result j = saturate(settings, joins);
        joinFailures += j.failed();
        signing.add(a);
        jdkSigning.add(aJdk);
        bareRates.add(b.throughput());
        joinRates.add(j.throughput());
        ratios.add(j.throughput() / Math.min(a, b.throughput()));
        boundRatios.add(j.throughput() / serialBound(a, b.throughput()));
        progress.printf(Locale.ROOT, "round %d: (a) signing %.0f/s, (b) bare Javalin %.0f/s, joins %.0f/s "
            + "(%d failed) -> %.2f of min(a, b)%n", round, a, b.throughput(), j.throughput(), j.failed(),
            ratios.get(ratios.size() - 1));
      }
      double a = median(signing);
      double b = median(bareRates);
      double j = median(joinRates);
      double ratio = median(ratios);
      String rounds = "median of " + settings.rounds() + " rounds";
      report.figure("(a) ES384 signing rate, fastest signer", a, "tokens/s", fastest.name() + "; "
          + settings.signingThreads() + " threads, no HTTP; " + rounds);
      report.figure("ES384 signing rate, the JDK's SunEC", median(jdkSigning), "tokens/s",
          settings.signingThreads() + " threads, no HTTP; " + rounds + " (beside (a), not a yardstick)");
      report.figure("(b) bare Javalin static JSON", b, "req/s", "saturation, " + settings.maxInFlight()
          + " connections; " + rounds);
      report.figure("gateway joins (self-signed)", j, "joins/s", "saturation, " + settings.maxInFlight()
          + " connections; " + rounds + "; " + joinFailures + " not 2xx");
      report.figure("joins / min(a, b)", ratio, "ratio", "per-round ratio, " + rounds);
      report.figure("joins / (a)", median(ratioList(joinRates, signing)), "ratio", rounds);
      report.figure("joins / (b)", median(ratioList(joinRates, bareRates)), "ratio", rounds);
      report.figure("serial bound a*b/(a+b)", serialBound(a, b), "joins/s", "a join costs one (a) and one (b) "
          + "of the same cores, so no join path can beat it");
      report.figure("joins / serial bound", median(boundRatios), "ratio", "per-round ratio, " + rounds);
      report.goal("joins/s >= 70% of min(a, b)", String.format(Locale.ROOT, "%.2f", ratio), ratio >= 0.7);

      double latencyRate = Math.max(1, settings.latencyLoad() * j);
      progress.printf(Locale.ROOT, "latency at %.0f/s%n", latencyRate);
      OpenLoop.Result joinLatency = HttpLoad.run(joins.uri(), new OpenLoop.Plan(latencyRate, settings.duration(),
          settings.maxInFlight()), joins.request());
      OpenLoop.Result bareLatency = HttpLoad.run(staticJson.uri(), new OpenLoop.Plan(latencyRate,
          settings.duration(), settings.maxInFlight()), staticJson.request());
      latencyFigures(report, "gateway joins", joinLatency, latencyRate);
      latencyFigures(report, "(b) bare Javalin", bareLatency, latencyRate);
      double p99 = Latencies.millis(joinLatency.latencies().p99());
      report.goal("joins p99 <= 5 ms at half of saturation", String.format(Locale.ROOT, "%.2f ms at %.0f/s", p99,
          latencyRate), p99 <= 5);
      long notOk = joinFailures + joinLatency.failed();
      report.goal("every join answered 2xx", notOk + " not 2xx", notOk == 0);
      // after the latency runs: the latency run that followed the profile (JFR started in this JVM for the first
      // time) saw the gateway at a third of its saturation throughput and a p99 of seconds in every run of
      // 2026-12-02, against milliseconds without --profile, so no figure of this gateway comes after it
      if (settings.profile() != null) {
        progress.println("profiling one more saturation of the gateway");
        JoinPathProfile.report(report, JoinPathProfile.record(settings.profile(),
            () -> saturate(settings, joins)), progress);
      }
      apiMode(stack, settings, report, progress);
    }
    return report;
  }

  /** Joins through a gateway in IVS API token mode: its client-side limiter keeps to IVS's 50 calls a second. */
  private static void apiMode(BenchStack stack, Settings settings, BenchReport report, PrintStream progress) {
    GatewayServer gateway = stack.startGateway(TokenMode.API, s -> s.toBuilder().replicaId("bench-gateway-api")
        .build());
    Target joins = joinTarget("gateway joins (IVS API tokens)", gateway.port());
    awaitJoinable(joins);
    stack.emulator().stats().reset();
    OpenLoop.Result saturated = HttpLoad.run(joins.uri(), new OpenLoop.Plan(settings.apiRate(),
        settings.apiDuration(), settings.maxInFlight()), joins.request());
    long throttled = stack.emulator().stats().throttled();
    progress.printf(Locale.ROOT, "api mode: %.1f joins/s at %.0f/s offered, %d throttled%n", saturated.throughput(),
        settings.apiRate(), throttled);
    report.figure("gateway joins (IVS API tokens, emulator)", saturated.throughput(), "joins/s",
        String.format(Locale.ROOT, "offered %.0f/s; %d not 2xx; emulator answered %d with 429", settings.apiRate(),
            saturated.failed(), throttled));
    report.figure("API-mode joins / IVS quota (50/s)", saturated.throughput() / 50.0, "ratio", "");
    double underQuota = 40;
    OpenLoop.Result latency = HttpLoad.run(joins.uri(), new OpenLoop.Plan(underQuota, settings.apiDuration(),
        settings.maxInFlight()), joins.request());
    latencyFigures(report, "API-mode joins", latency, underQuota);
  }

  /**
   * Stages enough for a seat for every join the run can offer: viewers who never open a presence socket keep their
   * seat for 30 s, longer than any one measurement, so every accepted join of the run may still hold one.
   */
  static int stagesFor(Settings settings, double signingRate) {
    double joinSeconds = (settings.warmup().toMillis() + (settings.rounds() + 1L) * settings.duration().toMillis())
        / 1000.0 + 2;
    double seats = Math.min(SATURATION_RATE, SEATS_PER_SIGNATURE * signingRate) * joinSeconds;
    int stages = Math.max(settings.stages(), (int) Math.ceil(seats / VIEWERS_PER_STAGE));
    if (stages > MAX_STAGES) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "the run would offer up to %.0f joins, more "
          + "than one broadcast seats (%d stages of %d); shorten --duration or --rounds", seats, MAX_STAGES,
          VIEWERS_PER_STAGE));
    }
    return stages;
  }

  /**
   * Creates the stages in the emulator and returns them as the operator records them. This is setup, not the
   * measurement, so it goes past the rate quotas rather than spend stages / 5 seconds.
   */
  private static List<StageStatus> createStages(BenchStack stack, int count) {
    boolean throttling = stack.emulator().faults().throttling();
    stack.emulator().faults().throttling(false);
    Map<IvsRateLimits.OperationClass, Double> unlimited = Map.of(IvsRateLimits.OperationClass.STAGE, 10_000.0,
        IvsRateLimits.OperationClass.TAG, 10_000.0);
    List<StageStatus> stages = new ArrayList<>();
    try (SdkIvsService ivs = SdkIvsService.builder(stack.emulator().region(),
        new IvsRateLimits(unlimited, IvsRateLimits.DEFAULT_MAX_WAIT)).endpoint(stack.emulator().endpoint())
        .meterRegistry(new SimpleMeterRegistry()).build()) {
      for (int i = 0; i < count; i++) {
        IvsService.Stage stage = ivs.createStage("bench-joins-" + i, Map.of("stagefleet.dev/managed-by", "bench"));
        stages.add(new StageStatus(stage.id(), stage.arn(), StageStatus.ACTIVE, 0, Instant.now().toString(),
            new Endpoints(stage.endpoints().events(), stage.endpoints().whip()), null));
      }
    } finally {
      stack.emulator().faults().throttling(throttling);
    }
    return stages;
  }

  private static Target joinTarget(String name, int port) {
    URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/namespaces/" + BenchStack.NAMESPACE
        + "/livebroadcasts/" + BROADCAST + "/viewers");
    return new Target(name, uri, constant(HttpLoad.post(uri, "{}")));
  }

  /** Waits until the gateway has seen the broadcast and its stages (its informers run behind the API server). */
  private static void awaitJoinable(Target target) {
    Waits.until(Duration.ofSeconds(30), Duration.ofMillis(100), target.name() + " accepting a join",
        () -> HttpLoad.run(target.uri(), new OpenLoop.Plan(10, Duration.ofMillis(100), 1), target.request()).ok() > 0);
  }

  private static OpenLoop.Result saturate(Settings settings, Target target) {
    return HttpLoad.run(target.uri(), new OpenLoop.Plan(SATURATION_RATE, settings.duration(),
        settings.maxInFlight()), target.request());
  }

  static void latencyFigures(BenchReport report, String what, OpenLoop.Result result, double rate) {
    String how = String.format(Locale.ROOT, "open loop at %.0f/s; %d ok of %d sent", rate, result.ok(),
        result.sent());
    report.figure(what + " latency p50", Latencies.millis(result.latencies().median()), "ms", how);
    report.figure(what + " latency p99", Latencies.millis(result.latencies().p99()), "ms", how);
  }

  static IntFunction<HttpLoad.Request> constant(HttpLoad.Request request) {
    return i -> request;
  }

  /**
   * The most joins/s the machine could answer if a join cost nothing but one signature of yardstick (a) and one
   * request of yardstick (b): both yardsticks saturate the same cores, so their per-item costs add up.
   */
  static double serialBound(double signing, double bare) {
    return signing * bare / (signing + bare);
  }

  private static List<Double> ratioList(List<Double> numerators, List<Double> denominators) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < numerators.size(); i++) {
      ratios.add(numerators.get(i) / denominators.get(i));
    }
    return ratios;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
