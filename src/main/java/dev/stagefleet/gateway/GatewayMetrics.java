package dev.stagefleet.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The gateway's Prometheus metrics: tokens, placement latency, joins, sockets and audience. */
public final class GatewayMetrics {
  private final PrometheusMeterRegistry registry;
  private final Timer placement;
  private final AtomicInteger broadcasterSockets = new AtomicInteger();
  private final AtomicInteger legacySockets = new AtomicInteger();
  private final AtomicInteger presenceSockets = new AtomicInteger();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Counter> joins = new ConcurrentHashMap<>();

  public GatewayMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.placement = Timer.builder("stagefleet.gateway.placement")
        .description("Time to place a viewer on a stage and mint its token")
        .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20),
            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2))
        .register(registry);
    Gauge.builder("stagefleet.gateway.sockets", broadcasterSockets, AtomicInteger::get).tag("kind", "broadcaster")
        .description("Open WebSockets").register(registry);
    Gauge.builder("stagefleet.gateway.sockets", legacySockets, AtomicInteger::get).tag("kind", "legacy")
        .description("Open WebSockets").register(registry);
    Gauge.builder("stagefleet.gateway.sockets", presenceSockets, AtomicInteger::get).tag("kind", "presence")
        .description("Open WebSockets").register(registry);
  }

  public static GatewayMetrics create() {
    return new GatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  /** Names who signs the tokens ({@code stagefleet_gateway_signer_info{provider="..."} 1}). */
  void signer(String provider) {
    Gauge.builder("stagefleet.gateway.signer.info", () -> 1.0).tag("provider", provider)
        .description("Who signs participant tokens: the JCA provider in self-signed mode, ivs in api mode")
        .register(registry);
  }

  void tokenMinted(String mode, String capability) {
    // every join counts here: the counter is looked up once per label set, not built and registered per call
    counters.computeIfAbsent(mode + '\n' + capability, key -> Counter.builder("stagefleet.gateway.tokens")
        .description("Participant tokens minted").tag("mode", mode)
        .tag("capability", capability.toLowerCase(Locale.ROOT)).register(registry)).increment();
  }

  void tokenFailed(String mode) {
    Counter.builder("stagefleet.gateway.token.failures").description("Participant tokens that could not be minted")
        .tag("mode", mode).register(registry).increment();
  }

  Timer placement() {
    return placement;
  }

  void viewerJoin(String result) {
    joins.computeIfAbsent(result, key -> Counter.builder("stagefleet.gateway.viewer.joins")
        .description("Viewer join requests by outcome").tag("result", result).register(registry)).increment();
  }

  void viewerMove(String result) {
    Counter.builder("stagefleet.gateway.viewer.moves").description("Viewers told to move off a draining stage")
        .tag("result", result).register(registry).increment();
  }

  void socketDropped(String reason) {
    Counter.builder("stagefleet.gateway.sockets.dropped").description("WebSockets the gateway closed")
        .tag("reason", reason).register(registry).increment();
  }

  AtomicInteger sockets(String kind) {
    return switch (kind) {
      case "broadcaster" -> broadcasterSockets;
      case "legacy" -> legacySockets;
      default -> presenceSockets;
    };
  }

  void audienceGauges(Supplier<Number> present, Supplier<Number> pending) {
    Gauge.builder("stagefleet.gateway.audience.viewers", present).tag("state", "present")
        .description("Viewers this replica counts").register(registry);
    Gauge.builder("stagefleet.gateway.audience.viewers", pending).tag("state", "pending")
        .description("Viewers this replica counts").register(registry);
  }

  void waitingGauge(Supplier<Number> waiting) {
    Gauge.builder("stagefleet.gateway.viewers.waiting", waiting)
        .description("Viewers this replica holds for a seat (every stage full)").register(registry);
  }

  /** A held viewer got its seat and token after {@code waited}. */
  void viewerWaited(Duration waited) {
    // two significant digits: the default one rounds a p99 of 1.05 s and one of 1.15 s to the same value
    Timer.builder("stagefleet.gateway.viewer.wait").description("Time from a held viewer's arrival to its token")
        .percentilePrecision(2)
        .serviceLevelObjectives(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30))
        .publishPercentiles(0.5, 0.99).register(registry).record(waited);
  }

  void audienceReport(String result) {
    Counter.builder("stagefleet.gateway.audience.reports").description("Audience reports written to status")
        .tag("result", result).register(registry).increment();
  }
}
