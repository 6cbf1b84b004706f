package dev.stagefleet.operator;

import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.ivs.MeteredIvsService;
import dev.stagefleet.scaling.ScalingPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator as a component: registers {@link LiveBroadcastReconciler} with java-operator-sdk, optionally behind
 * leader election on a Lease, sweeps for orphaned stages while leading, and serves {@code /healthz},
 * {@code /readyz} and Prometheus {@code /metrics}. Everything it needs is passed in; it holds no static state, so
 * tests and local mode run it embedded.
 */
public final class OperatorRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

  private final OperatorSettings settings;
  private final KubernetesClient client;
  private final Clock clock;
  private final OperatorMetrics metrics = new OperatorMetrics();
  private final IvsRegions regions;
  private final Leadership leadership;
  private volatile String newLeader;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> termination = new CompletableFuture<>();
  private Operator operator;
  /**
   * Reconciles running at once. IVS takes 5 stage calls a second per account, so beyond a few threads more of them
   * only wait for a rate-limit permit, each holding a stack and an allocation arena; JOSDK's default is 50.
   */
  static final int RECONCILE_THREADS = 10;

  private HealthServer health;
  private ScheduledExecutorService sweeper;
  private EventRecorder events;

  /** An operator serving one region ({@code settings.region()}) through {@code ivs}. */
  public OperatorRuntime(OperatorSettings settings, KubernetesClient client, IvsService ivs, Clock clock) {
    this(settings, client, region -> region.equals(settings.region()) ? ivs : null, clock);
  }

  /**
   * An operator serving every region {@code ivsForRegion} returns a client for (null for a region it cannot
   * serve); broadcasts without a region use {@code settings.region()}.
   */
  public OperatorRuntime(OperatorSettings settings, KubernetesClient client,
      Function<String, IvsService> ivsForRegion, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    Function<String, IvsService> metered = region -> {
      IvsService ivs = ivsForRegion.apply(region);
      return ivs == null ? null : new MeteredIvsService(ivs, metrics.registry());
    };
    this.regions = new IvsRegions(settings.region(), metered, clock, settings.inventoryRefreshInterval());
    this.leadership = settings.leaderElection() ? Leadership.candidate() : Leadership.unelected();
  }

  /** Starts watching and reconciling (once leading, with leader election), the orphan sweeps and the HTTP server. */
  public synchronized OperatorRuntime start() {
    if (closed.get() || !started.compareAndSet(false, true)) {
      throw new IllegalStateException("an OperatorRuntime starts once");
    }
    if (settings.healthPort() >= 0) {
      health = new HealthServer(settings.healthPort(), () -> !closed.get(), this::isReady, metrics::scrape).start();
    }
    operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withUseSSAToPatchPrimaryResource(settings.serverSideApply())
          .withConcurrentReconciliationThreads(RECONCILE_THREADS)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics.registry()));
      if (settings.leaderElection()) {
        o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration(settings.leaseName())
            .withLeaseNamespace(settings.leaseNamespace())
            .withIdentity(leaseIdentity(System.getenv("HOSTNAME")))
            .withLeaderCallbacks(new LeaderCallbacks(leadership::acquired, this::stoppedLeading,
                leader -> newLeader = leader))
            // JOSDK would System.exit; an embedded runtime must not, so losing the Lease ends it through termination()
            .withExitOnStopLeading(false)
            .build());
      }
    });
    var sampler = new ParticipantSampler(clock, new CallBudget(clock, settings.participantSampleRate()));
    events = new EventRecorder(client, clock);
    var actions = new StageActions(settings.clusterId(), new StageNames(new SecureRandom()), events,
        settings.quotaBackoff(), leadership);
    var reconciler = new LiveBroadcastReconciler(settings, regions, sampler, events, new StatusRecorder(client),
        actions, new ReplicationKeeper(settings.clusterId(), events), new ScalingPolicy(), metrics, clock, leadership);
    operator.register(reconciler, config -> {
      if (settings.namespaces().isEmpty()) {
        config.watchingAllNamespaces();
      } else {
        config.settingNamespaces(settings.namespaces());
      }
    });
    regions.region(settings.region());
    operator.start();

    var collector = new OrphanCollector(settings, client, regions, metrics, clock, leadership);
    sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "stagefleet-operator-sweeps");
      t.setDaemon(true);
      return t;
    });
    long every = settings.orphanSweepInterval().toMillis();
    sweeper.scheduleWithFixedDelay(() -> sweepOrphans(collector), every, every, TimeUnit.MILLISECONDS);
    if (settings.participantSampleRate() > 0) {
      long period = Math.max(50, (long) (1000 / settings.participantSampleRate()));
      sweeper.scheduleWithFixedDelay(() -> sample(sampler), period, period, TimeUnit.MILLISECONDS);
    }
    LOG.info("operator started (region {}, cluster id {}, namespaces {}, leader election {})", settings.region(),
        settings.clusterId(), settings.namespaces().isEmpty() ? "all" : settings.namespaces(),
        settings.leaderElection());
    return this;
  }

  /**
   * This replica's name in the Lease: the pod's host name for people reading the Lease, plus a random part, so two
   * processes with one host name (two operators in one container, a restart racing its predecessor) never both
   * believe they hold it. JOSDK would use the host name alone.
   */
  static String leaseIdentity(String hostName) {
    String host = hostName == null || hostName.isBlank() ? "stagefleet-operator" : hostName.strip();
    return host + "_" + java.util.UUID.randomUUID();
  }

  /**
   * Losing the Lease while running means another replica may already reconcile: every step stops before its next
   * action at once ({@link Leadership}), {@link #termination()} completes exceptionally, so the process exits
   * non-zero and Kubernetes restarts it as a candidate (JOSDK cannot go back to standby), and then the runtime
   * closes.
   */
  private void stoppedLeading() {
    if (closed.get() || !leadership.lose()) {
      return;
    }
    String holder = newLeader;
    String why = "lost the leader Lease " + settings.leaseName()
        + (holder == null || holder.isBlank() ? "" : " (now held by " + holder + ")")
        + "; stopped all work, exiting so that this replica restarts as a candidate";
    LOG.error(why);
    termination.completeExceptionally(new LeaseLostException(why));
    Thread stopper = new Thread(this::close, "stagefleet-operator-stop");
    stopper.setDaemon(true);
    stopper.start();
  }

  /** The runtime stopped because it lost the leader Lease; the process should exit non-zero. */
  public static final class LeaseLostException extends RuntimeException {
    LeaseLostException(String message) {
      super(message);
    }
  }

  /**
   * Completes when the runtime is closed, exceptionally with {@link LeaseLostException} as soon as it lost the leader
   * Lease (before it finished closing).
   */
  public CompletableFuture<Void> termination() {
    return termination;
  }

  private void sample(ParticipantSampler sampler) {
    if (!leadership.holds() || closed.get()) {
      return;
    }
    try {
      sampler.sampleDue();
    } catch (RuntimeException e) {
      // Sampling is best effort; the next period tries again.
      LOG.warn("participant sampling failed: {}", e.getMessage());
    }
  }

  private void sweepOrphans(OrphanCollector collector) {
    if (!leadership.holds() || closed.get()) {
      return;
    }
    try {
      collector.collect();
    } catch (Leadership.Lost e) {
      LOG.debug("orphan sweep stopped: the leader Lease was lost");
    } catch (RuntimeException e) {
      // A failed sweep (the API server or IVS unreachable) is simply tried again at the next interval.
      LOG.warn("orphan sweep failed: {}", e.getMessage());
    }
  }

  /** Ready when started, watching, and every informer is healthy. */
  public boolean isReady() {
    Operator op = operator;
    return op != null && !closed.get() && op.getRuntimeInfo().isStarted()
        && op.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  /** True while this replica reconciles (always, without leader election). */
  public boolean isLeader() {
    return leadership.holds();
  }

  /** The port of /healthz, /readyz and /metrics (the chosen one when the settings said 0), or -1 when off. */
  public int healthPort() {
    return health == null ? -1 : health.port();
  }

  /** The metrics registry (JOSDK's and the operator's meters). */
  public MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  public OperatorSettings settings() {
    return settings;
  }

  /** Stops reconciling, the sweeps and the HTTP server. The Kubernetes client is the caller's and stays open. */
  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    if (operator != null) {
      operator.stop();
    }
    if (events != null) {
      events.close();
    }
    if (health != null) {
      health.close();
    }
    termination.complete(null);
  }
}
