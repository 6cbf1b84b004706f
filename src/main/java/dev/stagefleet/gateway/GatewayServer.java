package dev.stagefleet.gateway;

import dev.stagefleet.ivs.IvsService;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
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
  static final String SDK_PATH = "/vendor/amazon-ivs-web-broadcast.js";

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
  private Javalin app;
  private MetricsEndpoint metricsEndpoint;

  /**
   * A gateway whose token minter follows the settings: a key from a Secret or file (then {@code ivs} is not used and
   * may be null, so a self-signed gateway needs no AWS credentials), or the IVS API.
   */
  public GatewayServer(GatewaySettings settings, KubernetesClient client, IvsService ivs, Clock clock) {
    this(settings, client, clock, tokenMinter(settings, client, ivs, clock));
  }

  /** A gateway with the given token minter. The server never calls IVS itself (stages come from the cluster). */
  GatewayServer(GatewaySettings settings, KubernetesClient client, Clock clock, TokenMinter minter) {
    this.settings = settings;
    this.tokenMode = minter.mode();
    this.minter = minter;
    this.signer = minter.signer();
    this.metrics = GatewayMetrics.create();
    metrics.signer(signer);
    this.changes = Executors.newSingleThreadExecutor(daemon("gateway-changes"));
    this.timers = Executors.newScheduledThreadPool(2, daemon("gateway-timer"));
    this.directory = new BroadcastDirectory(client, settings.namespaces());
    TokenIssuer issuer = new TokenIssuer(minter, metrics);
    this.tickets = new SocketTickets(clock, settings.ticketTtl());
    this.events = new BroadcasterEvents(directory, issuer, clock, changes);
    this.audience = new Audience(directory, issuer, clock, settings, changes, metrics);
    this.admissions = Executors.newSingleThreadExecutor(daemon("gateway-admissions"));
    this.room = new WaitingRoom(audience, directory::find, clock, Duration.ofSeconds(settings.retryAfterSeconds()),
        admissions, metrics);
    this.reporter = new AudienceReporter(client, directory, audience, room, clock, settings, metrics);
    this.broadcasterApi = new BroadcasterApi(directory, issuer, tickets, events, settings, metrics, clock);
    this.viewerApi = new ViewerApi(directory, audience, room, settings, metrics);
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

  /** Starts serving and watching; returns once the informers have synced (or after 30 s, still serving). */
  public GatewayServer start() {
    app = Javalin.create(this::configure);
    app.start(settings.host(), settings.port());
    if (settings.metricsPort() >= 0) {
      // a port of its own, so an Ingress routing / to the gateway never exposes /metrics
      metricsEndpoint = MetricsEndpoint.start(settings.host(), settings.metricsPort(), metrics::scrape);
    }
    try {
      var keyListed = minter instanceof KeySecretTokenMinter watched ? watched.listed()
          : java.util.concurrent.CompletableFuture.completedFuture(null);
      java.util.concurrent.CompletableFuture.allOf(directory.start(), keyListed).get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      LOG.warn("the LiveBroadcast and Secret informers have not synced after 30 s; /ready stays 503 until they do");
    } catch (Exception e) {
      LOG.warn("starting the informers failed: {}", e.getMessage());
    }
    long heartbeat = settings.heartbeatInterval().toMillis();
    timers.scheduleAtFixedRate(this::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
    long report = settings.audienceReportInterval().toMillis();
    timers.scheduleWithFixedDelay(this::reportAudience, report, report, TimeUnit.MILLISECONDS);
    audience.moves().schedule(timers);
    // seats also free up as placed viewers' pending windows pass and other replicas' reports change
    timers.scheduleWithFixedDelay(room::admitAll, 250, 250, TimeUnit.MILLISECONDS);
    timers.scheduleWithFixedDelay(tickets::purgeExpired, 10, 10, TimeUnit.SECONDS);
    LOG.info("gateway listening on port {} ({} tokens signed by {}, replica {})", port(), tokenMode, signer,
        settings.replicaId());
    return this;
  }

  /** The port the server listens on (useful with port 0). */
  public int port() {
    return app.port();
  }

  /** The port /metrics is served on; -1 when it is not served. */
  public int metricsPort() {
    return metricsEndpoint == null ? -1 : metricsEndpoint.port();
  }

  /** True once the informers have listed LiveBroadcasts and Secrets and tokens can be minted. */
  public boolean ready() {
    return directory.synced() && minter.notReadyReason().isEmpty();
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

  @Override
  public void close() {
    timers.shutdownNow();
    try {
      reporter.withdraw();
    } catch (RuntimeException e) {
      LOG.warn("could not withdraw the audience reports: {}", e.getMessage());
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

  private void heartbeat() {
    try {
      events.heartbeat();
      audience.heartbeat();
    } catch (RuntimeException e) {
      LOG.warn("heartbeat failed: {}", e.getMessage());
    }
  }

  private void reportAudience() {
    try {
      reporter.tick();
    } catch (RuntimeException e) {
      LOG.warn("audience report failed: {}", e.getMessage());
    }
  }

  private void configure(JavalinConfig cfg) {
    cfg.startup.showJavalinBanner = false;
    cfg.startup.showOldJavalinVersionWarning = false;
    cfg.jsonMapper(new JavalinJackson(SocketMessages.JSON, false));
    cfg.http.maxRequestSize = settings.maxBodyBytes();
    cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
    cfg.jetty.modifyHttpConfiguration(http -> {
      // Jetty's per-connection header cache matches lines case-insensitively and hands back the value first seen,
      // so a letter-case variant of a key sent earlier on the connection would reach the key check as the original
      http.setHeaderCacheSize(0);
      http.setHeaderCacheCaseSensitive(true);
    });
    cfg.jetty.modifyServletContextHandler(NoSessions::install);
    Duration idle = settings.heartbeatInterval().multipliedBy(4);
    cfg.jetty.modifyWebSocketServletFactory(factory -> {
      factory.setIdleTimeout(idle.compareTo(Duration.ofMinutes(1)) > 0 ? idle : Duration.ofMinutes(1));
      factory.setMaxTextMessageSize(64 * 1024);
    });
    if (!settings.corsOrigins().isEmpty()) {
      cfg.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
        if (settings.corsOrigins().contains("*")) {
          rule.anyHost();
        } else {
          String first = settings.corsOrigins().get(0);
          rule.allowHost(first, settings.corsOrigins().subList(1, settings.corsOrigins().size())
              .toArray(String[]::new));
        }
        rule.exposeHeader("Retry-After");
      }));
    }
    var routes = cfg.routes;
    if (settings.webRoot() != null && Files.isDirectory(settings.webRoot())) {
      cfg.staticFiles.add(files -> {
        files.hostedPath = "/";
        files.directory = settings.webRoot().toAbsolutePath().toString();
        files.location = Location.EXTERNAL;
      });
      for (String page : new String[] {"broadcaster", "viewer"}) {
        routes.get("/" + page, ctx -> page(ctx, page));
      }
    }
    routes.before(this::limitBody);
    if (!settings.corsOrigins().isEmpty()) {
      routes.beforeMatched(GatewayServer::refuseForeignOrigin);
    }
    routes.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
    routes.get("/ready", ctx -> {
      if (!directory.synced()) {
        throw new ApiError(503, "not_ready", "the LiveBroadcast and Secret informers have not synced yet");
      }
      var keyProblem = minter.notReadyReason();
      if (keyProblem.isPresent()) {
        throw new ApiError(503, "key_unavailable", keyProblem.get());
      }
      ctx.json(Map.of("status", "ready"));
    });
    routes.get(SDK_PATH, this::sdk);
    broadcasterApi.routes(routes, settings.legacyEndpoints());
    viewerApi.routes(routes);
    if (localMedia != null) {
      localMedia.routes(routes);
    }
    routes.exception(ApiError.class, (e, ctx) -> error(ctx, e));
    routes.exception(TokenUnavailable.class, (e, ctx) -> error(ctx, ApiError.of(e)));
    routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, new ApiError(e.getStatus(),
        errorCode(e.getStatus()), e.getMessage() == null || e.getMessage().isBlank() ? errorCode(e.getStatus())
            : e.getMessage())));
    routes.exception(Exception.class, (e, ctx) -> {
      LOG.warn("{} {} failed", ctx.method(), ctx.path(), e);
      error(ctx, new ApiError(500, "internal", "the gateway failed to answer; the error is in its log"));
    });
  }

  /** A page's index.html; without the trailing slash, a redirect to it, so the page's relative links work. */
  private void page(Context ctx, String page) {
    if (!ctx.path().endsWith("/")) {
      String query = ctx.queryString();
      ctx.redirect("/" + page + "/" + (query == null ? "" : "?" + query));
      return;
    }
    Path index = settings.webRoot().resolve(page).resolve("index.html");
    if (!Files.isRegularFile(index)) {
      throw ApiError.notFound("the " + page + " page is not in " + settings.webRoot());
    }
    try {
      if (localMedia == null) {
        ctx.contentType("text/html; charset=utf-8").result(Files.newInputStream(index));
      } else {
        // the pages load their local stage client only when told so, never in a production page load
        ctx.contentType("text/html; charset=utf-8").result(Files.readString(index).replace("</head>",
            "<meta name=\"stagefleet-local-media\" content=\"/local-media\">\n</head>"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The CORS plugin only marks a disallowed origin's answer (400, no CORS headers) and lets the route run, so a page
   * on another site could still place viewers or mint tokens it cannot read; refuse before the route instead. It runs
   * after the plugin (matched endpoints only), so the plugin's origin matching decides.
   */
  private static void refuseForeignOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin != null && ctx.res().getHeader("Access-Control-Allow-Origin") == null) {
      throw new ApiError(403, "origin_not_allowed", "requests from the origin " + RequestInput.abbreviate(origin)
          + " are not allowed (--cors-origins)");
    }
  }

  private void limitBody(Context ctx) throws Exception {
    if (ctx.contentLength() > settings.maxBodyBytes()) {
      // the body stays unread, so the connection cannot be reused
      throw new ApiError(413, "payload_too_large", "request bodies are limited to " + settings.maxBodyBytes()
          + " bytes", Map.of("Connection", "close"));
    }
    // read (and cache) every body up front, so an answer given before the body is looked at (401, 403, 404) never
    // leaves unread bytes on a kept-alive connection
    if (ctx.method() == HandlerType.POST) {
      try {
        ctx.bodyAsBytes();
      } catch (Exception e) {
        // Javalin rethrows Jetty's IOException (an early EOF) unchecked, so catch it as what it is
        if (!RequestInput.isBrokenFraming(e)) {
          throw e;
        }
        // the client's framing is broken (bad chunk size, fewer bytes than Content-Length): nothing more on this
        // connection can be trusted
        throw new ApiError(400, "bad_request", "the request body is malformed or ended early: "
            + RequestInput.framingProblem(e), Map.of("Connection", "close"));
      }
    }
  }

  private void sdk(Context ctx) {
    Path sdk = settings.sdkFileOrDefault();
    if (sdk == null || !Files.isRegularFile(sdk)) {
      throw ApiError.notFound("the IVS Web Broadcast SDK is not installed here; run npm install in web-frontend, "
          + "or load it from AWS's CDN");
    }
    try {
      InputStream in = Files.newInputStream(sdk);
      ctx.contentType("text/javascript; charset=utf-8").header("Cache-Control", "max-age=3600").result(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void error(Context ctx, ApiError e) {
    e.headers().forEach(ctx::header);
    ctx.status(e.status()).json(e.body());
    if (ctx.header("Sec-WebSocket-Key") != null) {
      // a refused upgrade never reaches Javalin's result writer, so the body would be lost
      writeNow(ctx, e);
    }
  }

  private static void writeNow(Context ctx, ApiError e) {
    try {
      byte[] body = SocketMessages.JSON.writeValueAsBytes(e.body());
      ctx.res().setContentLength(body.length);
      ctx.res().getOutputStream().write(body);
    } catch (IOException closed) {
      LOG.debug("could not send the refusal of a WebSocket upgrade: {}", closed.getMessage());
    }
  }

  static String errorCode(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 408 -> "request_timeout";
      case 411 -> "length_required";
      case 413 -> "payload_too_large";
      case 414 -> "uri_too_long";
      case 415 -> "unsupported_media_type";
      case 417 -> "expectation_failed";
      case 426 -> "upgrade_required";
      case 429 -> "rate_limited";
      case 431 -> "request_header_fields_too_large";
      case 501 -> "not_implemented";
      case 503 -> "unavailable";
      case 505 -> "http_version_not_supported";
      default -> status >= 500 ? "internal" : "http_" + status;
    };
  }

  /** The token minter the settings ask for. */
  static TokenMinter tokenMinter(GatewaySettings settings, KubernetesClient client, IvsService ivs,
      Clock clock) {
    if (settings.tokenMode() == GatewaySettings.TokenMode.API) {
      if (ivs == null) {
        throw new IllegalArgumentException("--token-mode api needs an IVS client");
      }
      return new ApiTokenMinter(ivs);
    }
    if (settings.keySecret() != null && !settings.keySecret().isBlank()) {
      // the Secret may not exist yet: the gateway starts, answers /ready 503 naming it, and waits
      return KeySecretTokenMinter.watch(client, settings.keySecret(), clock);
    }
    return new SelfSignedTokenMinter(fileSigningKey(settings), clock);
  }

  /** The signing key from --key-file with --key-arn. */
  static SigningKey fileSigningKey(GatewaySettings settings) {
    if (settings.keyFile() != null) {
      if (settings.keyArn() == null || settings.keyArn().isBlank()) {
        throw new IllegalArgumentException("--key-file needs --key-arn, the ARN of its imported public key");
      }
      try {
        return SigningKey.fromPem(Files.readString(settings.keyFile()), settings.keyArn().strip());
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the key file " + settings.keyFile() + ": " + e.getMessage());
      }
    }
    throw new IllegalArgumentException("self-signed tokens need a key: --key-secret namespace/name, or --key-file "
        + "with --key-arn (create one with stagefleet keys create), or use --token-mode api");
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
