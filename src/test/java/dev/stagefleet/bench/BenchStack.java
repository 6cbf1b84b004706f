package dev.stagefleet.bench;

import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.gateway.SigningKeySecret;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.SdkIvsService;
import dev.stagefleet.local.EmbeddedApiServer;
import dev.stagefleet.operator.OperatorRuntime;
import dev.stagefleet.operator.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The parts a benchmark composes in one process, as local mode does: the embedded Kubernetes API server, the IVS
 * emulator and an IVS client pointed at it (with the process's one set of rate limits), plus the operator and the
 * gateway when a scenario asks for them. Closing it stops everything it started, newest first.
 */
public final class BenchStack implements AutoCloseable {
  public static final String NAMESPACE = "bench";

  private final Clock clock = Clock.systemUTC();
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final EmbeddedApiServer api;
  private final IvsEmulator emulator;
  private final KubernetesClient client;
  private final IvsRateLimits limits = new IvsRateLimits();
  private final SdkIvsService ivs;

  private BenchStack(EmbeddedApiServer api, IvsEmulator emulator) {
    this.api = api;
    this.emulator = emulator;
    started.push(api);
    started.push(emulator);
    this.client = own(api.newClient());
    this.ivs = own(SdkIvsService.builder(emulator.region(), limits).endpoint(emulator.endpoint())
        .meterRegistry(new SimpleMeterRegistry()).build());
  }

  /** Starts the API server (CRD applied) and the emulator (IVS's quotas and rate quotas on) on free ports. */
  public static BenchStack start() {
    EmbeddedApiServer api = EmbeddedApiServer.start(0, Clock.systemUTC());
    IvsEmulator emulator;
    try {
      emulator = IvsEmulator.start(EmulatorSettings.builder().host("127.0.0.1").port(0).build());
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
    return new BenchStack(api, emulator);
  }

  /**
   * Starts the operator on its own API client, watching the benchmark namespace, without leader election or health
   * server, with the default (JSON patch) finalizer writes; {@code tune} changes further settings.
   */
  public OperatorRuntime startOperator(UnaryOperator<OperatorSettings> tune) {
    OperatorSettings settings = tune.apply(operatorSettings());
    return own(new OperatorRuntime(settings, own(api.newClient()), ivs, clock)).start();
  }

  /** The operator settings the benchmarks start from. */
  public OperatorSettings operatorSettings() {
    return operatorSettings(emulator.region());
  }

  /** The operator's defaults, serving {@code region} in the benchmark namespace of an embedded API server. */
  static OperatorSettings operatorSettings(String region) {
    return OperatorSettings.builder().region(region).namespaces(Set.of(NAMESPACE))
        .healthPort(-1).leaderElection(false).build();
  }

  /**
   * Starts a gateway on a free loopback port, watching the benchmark namespace, with joins per address unlimited (all
   * load comes from one address), built from its settings as the {@code gateway} command builds it. Self-signed mode
   * signs with a fresh key whose public half is imported into the emulator and whose Secret is created first, as
   * {@code stagefleet keys create} and local mode do; api mode mints through the stack's IVS client.
   */
  public GatewayServer startGateway(GatewaySettings.TokenMode mode, UnaryOperator<GatewaySettings> tune) {
    String keySecret = mode == GatewaySettings.TokenMode.API ? null : createKeySecret();
    GatewaySettings settings = tune.apply(GatewaySettings.builder().host("127.0.0.1").port(0).metricsPort(0)
        .namespaces(List.of(NAMESPACE)).replicaId("bench-gateway").webRoot(null)
        .viewerJoinsPerSecondPerIp(Integer.MAX_VALUE).tokenMode(mode).keySecret(keySecret).build());
    return own(new GatewayServer(settings, own(api.newClient()), ivs, clock)).start();
  }

  /**
   * {@code n} self-signed gateway replicas ({@code bench-gateway-1}...) sharing one key Secret, as the chart's pods do
   * (each with its own API client), so any of them accepts the others' presence passes.
   */
  public List<GatewayServer> startGateways(int n, UnaryOperator<GatewaySettings> tune) {
    String keySecret = createKeySecret();
    List<GatewayServer> gateways = new java.util.ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String replica = "bench-gateway-" + i;
      GatewaySettings settings = tune.apply(GatewaySettings.builder().host("127.0.0.1").port(0).metricsPort(0)
          .namespaces(List.of(NAMESPACE)).replicaId(replica).webRoot(null)
          .viewerJoinsPerSecondPerIp(Integer.MAX_VALUE).tokenMode(GatewaySettings.TokenMode.SELF_SIGNED)
          .keySecret(keySecret).build());
      gateways.add(own(new GatewayServer(settings, own(api.newClient()), ivs, clock)).start());
    }
    return gateways;
  }

  /** A signing key Secret in the benchmark namespace; returns its {@code namespace/name}. */
  private String createKeySecret() {
    String name = "bench-signing-key-" + System.nanoTime();
    client.resource(SigningKeySecret.create(ivs, name, name, NAMESPACE)).create();
    return NAMESPACE + "/" + name;
  }

  /** Closes {@code part} when the stack closes. */
  public <T extends AutoCloseable> T own(T part) {
    started.push(part);
    return part;
  }

  public Clock clock() {
    return clock;
  }

  public EmbeddedApiServer api() {
    return api;
  }

  public IvsEmulator emulator() {
    return emulator;
  }

  /** A client of the API server, for setup and checks (not the one the parts under test use). */
  public KubernetesClient client() {
    return client;
  }

  public IvsRateLimits limits() {
    return limits;
  }

  /** The IVS client for the emulator, sharing the stack's rate limits. */
  public SdkIvsService ivs() {
    return ivs;
  }

  @Override
  public void close() {
    RuntimeException first = null;
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("stopping a benchmark part failed: " + e.getMessage(), e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
