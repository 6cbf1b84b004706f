package dev.stagefleet.gateway;

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
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP surface around its APIs: Jetty and WebSocket limits, CORS, the pages and the SDK bundle,
 * /health and /ready, the request-body guard, and the mapping of every failure to a JSON answer.
 */
final class GatewayHttp {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayHttp.class);
  static final String SDK_PATH = "/vendor/amazon-ivs-web-broadcast.js";

  private final GatewaySettings settings;
  private final BroadcastDirectory directory;
  private final TokenMinter minter;
  private final BroadcasterApi broadcasterApi;
  private final ViewerApi viewerApi;
  private final LocalMediaRelay localMedia;
  private final java.util.function.BooleanSupplier draining;
  private final java.util.function.BooleanSupplier warmingUp;

  /** {@code localMedia} may be null (only local mode relays media). */
  GatewayHttp(GatewaySettings settings, BroadcastDirectory directory, TokenMinter minter,
      BroadcasterApi broadcasterApi, ViewerApi viewerApi, LocalMediaRelay localMedia,
      java.util.function.BooleanSupplier draining, java.util.function.BooleanSupplier warmingUp) {
    this.draining = draining;
    this.warmingUp = warmingUp;
    this.settings = settings;
    this.directory = directory;
    this.minter = minter;
    this.broadcasterApi = broadcasterApi;
    this.viewerApi = viewerApi;
    this.localMedia = localMedia;
  }

  /** Configures Javalin and Jetty for the gateway: call as Javalin.create's config step. */
  void configure(JavalinConfig cfg) {
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
      routes.beforeMatched(GatewayHttp::refuseForeignOrigin);
    }
    routes.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
    routes.get("/ready", ctx -> {
      if (draining.getAsBoolean()) {
        throw new ApiError(503, "draining", "the gateway is shutting down; its clients move to the other replicas");
      }
      if (warmingUp.getAsBoolean()) {
        throw new ApiError(503, "warming_up", "the gateway is warming its join path up before it takes viewers");
      }
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
        ApiError.codeFor(e.getStatus()), e.getMessage() == null || e.getMessage().isBlank() ? ApiError.codeFor(e.getStatus())
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
}
