package dev.stagefleet.bench;

import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.SdkIvsService;
import dev.stagefleet.ivs.emulator.EmulatorSettings;
import dev.stagefleet.ivs.emulator.IvsEmulator;
import dev.stagefleet.local.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The parts a benchmark composes in one process, as local mode does: the embedded Kubernetes API server, the IVS
 * emulator and an IVS client pointed at it (with the process's one set of rate limits). Scenarios add the operator and
 * the gateway on top. Closing it stops everything it started, newest first.
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
      emulator = IvsEmulator.start(EmulatorSettings.defaults().withHost("127.0.0.1").withPort(0));
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
    return new BenchStack(api, emulator);
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
