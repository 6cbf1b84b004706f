package dev.stagefleet.gateway;

import dev.stagefleet.ivs.IvsService;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javalin.Javalin;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: an HTTP and WebSocket server that hands broadcasters and viewers participant tokens for a
 * LiveBroadcast's stages, places viewers, pushes stage changes, and reports the audience into the resource's status.
 * It reads stages from the cluster (informers), never from IVS.
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

  private final GatewaySettings settings;
  private final GatewayMetrics metrics;
  private final BroadcastDirectory directory;
  private final BroadcasterEvents events;
  private final Audience audience;
  private final WaitingRoom room;
  private final ExecutorService admissions;
  private final AudienceReporter reporter;
  private final SocketTickets tickets;
  private final BroadcasterApi broadcasterApi;
  private final ViewerApi viewerApi;
  private final ExecutorService changes;
  private final ScheduledExecutorService timers;
  private final String tokenMode;
  private LocalMediaRelay localMedia;
  private final TokenMinter minter;
  private final String signer;
  /**
   * Least time between two rounds that write urgent demand: with the claims and the tick, a broadcast's report is
   * written at most about 7 times a second more than once a tick, however fast viewers arrive.
   */
  static final Duration DEMAND_REPORT_GAP = Duration.ofMillis(150);
  /** A join found room only in other replicas' seats: report (and claim) now rather than at the next tick. */
  private final PacedRound seatClaims;
  /** A join may have changed the operator's decision: report it now rather than at the next tick. */
  private final PacedRound demandReports;
  /** Set on shutdown: /ready answers 503, so the Service stops routing here while the sockets are handed over. */
  private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
  /** Set until the start-up warm-up is over: /ready answers 503 meanwhile. */
  private final java.util.concurrent.atomic.AtomicBoolean warmingUp = new java.util.concurrent.atomic.AtomicBoolean(true);
  private Javalin app;
  private MetricsEndpoint metricsEndpoint;

  /**
   * A gateway whose token minter follows the settings: a key from a Secret or file (then {@code ivs} is not used and
   * may be null, so a self-signed gateway needs no AWS credentials), or the IVS API.
   */
  public GatewayServer(GatewaySettings settings, KubernetesClient client, IvsService ivs, Clock clock) {
    this(settings, client, clock, TokenMinter.forSettings(settings, client, ivs, clock));
  }

  /** A gateway with the given token minter. The server never calls IVS itself (stages come from the cluster). */
  GatewayServer(GatewaySettings settings, KubernetesClient client, Clock clock, TokenMinter minter) {
    this(settings, clock, minter, new BroadcastDirectory(client, settings.namespaces()),
        AudienceReporter.StatusWrites.to(client));
  }

  /** A gateway over {@code directory} whose audience reports go to {@code reports}. */
  private GatewayServer(GatewaySettings settings, Clock clock, TokenMinter minter, BroadcastDirectory directory,
      AudienceReporter.StatusWrites reports) {
    this.settings = settings;
    this.tokenMode = minter.mode();
    this.minter = minter;
    this.signer = minter.signer();
    this.metrics = GatewayMetrics.create();
    metrics.signer(signer);
    this.changes = Executors.newSingleThreadExecutor(daemon("gateway-changes"));
    this.timers = Executors.newScheduledThreadPool(2, daemon("gateway-timer"));
    this.directory = directory;
    TokenIssuer issuer = new TokenIssuer(minter, metrics);
    // the token-signing key keys the claims where there is one; the shared claims key where tokens come from IVS
    Optional<byte[]> sharedKey = GatewayClaims.sharedKey(settings.claimsKeyFile());
    GatewayClaims claims = new GatewayClaims(() -> minter.claimKeyMaterial().or(() -> sharedKey), clock);
    this.tickets = new SocketTickets(claims, clock, settings.ticketTtl());
    this.events = new BroadcasterEvents(directory, issuer, clock, changes);
    this.audience = new Audience(directory, issuer, claims, clock, settings, changes, metrics);
    // one thread per core: seating a waiter signs its token, and a storm's whole audience goes through the line
    this.admissions = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
        daemon("gateway-admissions"));
    this.room = new WaitingRoom(audience, directory::find, claims, settings.replicaId(), clock,
        Duration.ofSeconds(settings.retryAfterSeconds()), admissions, metrics);
    this.reporter = new AudienceReporter(reports, directory, audience, room, clock, settings, metrics);
    this.broadcasterApi = new BroadcasterApi(directory, issuer, tickets, events, settings, metrics, clock);
    this.viewerApi = new ViewerApi(directory, audience, room, issuer, settings, metrics);
    this.seatClaims = new PacedRound(() -> quietly("claiming seats", reporter::claim), Duration.ZERO, this::later);
    this.demandReports = new PacedRound(() -> quietly("reporting demand", reporter::demand), DEMAND_REPORT_GAP,
        this::later);
    audience.onSeatsWanted(seatClaims::ask);
    room.onDemandGrew(demandReports::ask);
    directory.addListener(events);
    directory.addListener(audience);
    directory.addListener(room);
  }

  /**
   * Local mode only: relay WebRTC signalling between the pages of each emulated stage (their endpoints lead nowhere),
   * and tell the pages so. Call before {@link #start()}.
   */
  public GatewayServer relayLocalMedia() {
    localMedia = new LocalMediaRelay();
    return this;
  }

  /**
   * Starts serving and watching, and warms the join path up (see {@link GatewayWarmUp}) while the informers list;
   * returns once both are done (or after 30 s, still serving). {@code /ready} answers 503 until then.
   */
  public GatewayServer start() {
    app = Javalin.create(new GatewayHttp(settings, directory, minter, broadcasterApi, viewerApi, localMedia,
        draining::get, warmingUp::get)::configure);
    app.start(settings.host(), settings.port());
    if (settings.metricsPort() >= 0) {
      // a port of its own, so an Ingress routing / to the gateway never exposes /metrics
      metricsEndpoint = MetricsEndpoint.start(settings.host(), settings.metricsPort(), metrics::scrape);
    }
    try {
      var keyListed = minter instanceof KeySecretTokenMinter watched ? watched.listed()
          : java.util.concurrent.CompletableFuture.completedFuture(null);
      var listed = java.util.concurrent.CompletableFuture.allOf(directory.start(), keyListed);
      warmUp();
      listed.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      LOG.warn("the LiveBroadcast and Secret informers have not synced after 30 s; /ready stays 503 until they do");
    } catch (Exception e) {
      LOG.warn("starting the informers failed: {}", e.getMessage());
    }
    long heartbeat = settings.heartbeatInterval().toMillis();
    timers.scheduleAtFixedRate(this::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
    long report = settings.audienceReportInterval().toMillis();
    timers.scheduleWithFixedDelay(() -> quietly("audience report", reporter::tick), report, report,
        TimeUnit.MILLISECONDS);
    audience.moves().schedule(timers);
    // seats also free up as placed viewers' pending windows pass and other replicas' reports change
    timers.scheduleWithFixedDelay(room::admitAll, 250, 250, TimeUnit.MILLISECONDS);
    timers.scheduleWithFixedDelay(tickets::purgeExpired, 10, 10, TimeUnit.SECONDS);
    LOG.info("gateway listening on port {} ({} tokens signed by {}, replica {})", port(), tokenMode, signer,
        settings.replicaId());
    return this;
  }

  private void warmUp() {
    if (settings.warmUpJoins() == 0) {
      warmingUp.set(false);
      return;
    }
    try {
      GatewayWarmUp.Result warmed = GatewayWarmUp.run(settings, settings.warmUpJoins(), GatewayWarmUp.WITHIN);
      LOG.info("warmed the join path up before reporting ready: {} joins in {} ms", warmed.placed(),
          warmed.took().toMillis());
    } catch (RuntimeException e) {
      LOG.warn("warming the join path up failed (the first joins will be slower): {}", e.getMessage());
    } finally {
      warmingUp.set(false);
    }
  }

  /**
   * Serves this gateway's API on its port and lists its directory, nothing more: no /metrics, no timers, no reports
   * (the warm-up's private copy).
   */
  GatewayServer serveOnly() {
    app = Javalin.create(new GatewayHttp(settings, directory, minter, broadcasterApi, viewerApi, null,
        () -> false, () -> false)::configure);
    app.start(settings.host(), settings.port());
    directory.start();
    return this;
  }

  /** A private gateway over a fixed directory, signing with {@code minter}, that writes nothing anywhere. */
  static GatewayServer detached(GatewaySettings settings, BroadcastDirectory directory, TokenMinter minter,
      Clock clock) {
    return new GatewayServer(settings, clock, minter, directory, AudienceReporter.StatusWrites.nowhere(directory));
  }

  /** The port the server listens on (useful with port 0). */
  public int port() {
    return app.port();
  }

  /** The port /metrics is served on; -1 when it is not served. */
  public int metricsPort() {
    return metricsEndpoint == null ? -1 : metricsEndpoint.port();
  }

  /**
   * True once the start-up warm-up is over, the informers have listed LiveBroadcasts and Secrets, and tokens can be
   * minted.
   */
  public boolean ready() {
    return !warmingUp.get() && directory.synced() && minter.notReadyReason().isEmpty();
  }

  BroadcastDirectory directory() {
    return directory;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public GatewaySettings settings() {
    return settings;
  }

  /**
   * Shuts down gracefully: /ready turns 503 (the chart's preStop has kept the pod serving while the Service stopped
   * routing to it), the report hands this replica's viewers over (it counts them no more and keeps their seats until
   * it goes stale), and the sockets close with 1001, so clients reconnect to another replica with their presence
   * pass and keep their stage.
   */
  @Override
  public void close() {
    draining.set(true);
    timers.shutdownNow();
    try {
      reporter.handOver();
    } catch (RuntimeException e) {
      LOG.warn("could not hand the audience reports over: {}", e.getMessage());
    }
    broadcasterApi.closeAll();
    viewerApi.closeAll();
    if (localMedia != null) {
      localMedia.closeAll();
    }
    if (app != null) {
      app.stop();
    }
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    if (minter instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("closing the token minter failed: {}", e.getMessage());
      }
    }
    directory.close();
    changes.shutdownNow();
    admissions.shutdownNow();
  }

  /** Stops at once, as a killed process would: no hand-over and no report written (how tests lose a replica). */
  public void halt() {
    timers.shutdownNow();
    changes.shutdownNow();
    admissions.shutdownNow();
    if (app != null) {
      app.stop();
    }
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    directory.close();
  }

  private void heartbeat() {
    try {
      events.heartbeat();
      audience.heartbeat();
    } catch (RuntimeException e) {
      LOG.warn("heartbeat failed: {}", e.getMessage());
    }
  }

  private void later(Runnable task, Duration delay) {
    timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static void quietly(String what, Runnable round) {
    try {
      round.run();
    } catch (RuntimeException e) {
      LOG.warn("{} failed: {}", what, e.getMessage());
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
