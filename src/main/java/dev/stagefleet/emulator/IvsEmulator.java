package dev.stagefleet.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stagefleet.crypto.Es384Provider;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.BindException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for Amazon IVS real-time: an HTTP server speaking IVS's REST-JSON protocol as every AWS SDK sends it
 * ({@code POST /CreateStage}, ..., {@code GET|POST|DELETE /tags/{resourceArn}}), with IVS's validation, error codes,
 * pagination, quotas and rate quotas, plus simulated participants and fault injection.
 *
 * <p>Point any AWS SDK at {@link #endpoint()} with the emulator's region and any credentials. Simulated clients join
 * stages with participant tokens ({@link #join(String, boolean)}), exactly as the Web Broadcast SDK would with IVS.
 *
 * <p>Control API (JSON, not part of IVS; bad input answers 4xx with {@code {"error","message"}}):
 * <ul>
 *   <li>{@code GET /_emulator} - endpoint, region, account id</li>
 *   <li>{@code POST /_emulator/join {"token", "publish"?, "stageArn"?}} - a client joins; answers the participant,
 *       or 401/403/404 {@code {"error": <ParticipantRejectedException.Reason>, "message"}}</li>
 *   <li>{@code POST /_emulator/leave {"stageArn", "participantId"}} - answers {@code {"left": true|false}}</li>
 *   <li>{@code POST /_emulator/publish {"stageArn", "participantId", "publishing"}} - starts or stops publishing</li>
 *   <li>{@code GET /_emulator/participants?stageArn=...} - connected participants; {@code GET /_emulator/stages}</li>
 *   <li>{@code GET|DELETE /_emulator/stats} - call counters, or reset them</li>
 *   <li>{@code GET|POST|DELETE /_emulator/faults} - read, change ({@code latencyMs, operationLatencyMs{op:ms},
 *       errorRate, failNext, outage, outageSeconds, outageAfterSeconds, throttling, accessDenied,
 *       pendingVerification}; fields left out stay; {@code outageSeconds} opens an outage window of that length,
 *       starting now or {@code outageAfterSeconds} from now), or clear faults</li>
 *   <li>{@code GET|POST /_emulator/quotas} - read or change ({@code stages, subscribersPerStage, publishersPerStage,
 *       publicKeys, replicationsPerParticipant, rates{op:callsPerSecond}})</li>
 *   <li>{@code POST /_emulator/reset} - forgets every resource and resets stats, faults and quotas</li>
 * </ul>
 * Thread-safe. {@link #close()} stops the server.
 */
public final class IvsEmulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IvsEmulator.class);
  static final String CONTROL_PREFIX = "/_emulator";
  /** Operations IVS refuses with PendingVerification while an account is not verified: those the model says can. */
  private static final Set<String> VERIFICATION_GATED = Set.of("CreateStage", "UpdateStage", "DeleteStage",
      "CreateParticipantToken", "DisconnectParticipant", "ImportPublicKey", "DeletePublicKey",
      "StartParticipantReplication");

  private final EmulatorSettings settings;
  private final ObjectMapper json = new ObjectMapper();
  private final EmulatorQuotas quotas = new EmulatorQuotas();
  private final EmulatorStats stats = new EmulatorStats();
  private final Faults faults;
  private final RateQuotaBuckets buckets;
  private final EmulatedRegion region;
  private final IvsOperations operations;
  private Javalin server;
  private URI endpoint;

  private IvsEmulator(EmulatorSettings settings) {
    this.settings = settings;
    this.faults = new Faults(settings);
    this.buckets = new RateQuotaBuckets(quotas, System::nanoTime);
    this.region = new EmulatedRegion(settings.region(), settings.accountId(), settings.clock(), quotas,
        new ParticipantTokens(json, Es384Provider.fastest()));
    this.operations = new IvsOperations(region, json);
  }

  /**
   * Starts an emulator and returns once it accepts connections.
   *
   * @throws IllegalStateException when it cannot listen (for example the port is in use), with a one-line message
   */
  public static IvsEmulator start(EmulatorSettings settings) {
    IvsEmulator emulator = new IvsEmulator(Objects.requireNonNull(settings, "settings"));
    emulator.listen();
    return emulator;
  }

  private void listen() {
    Javalin app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.http.maxRequestSize = 1_000_000;
      cfg.requestLogger.http((ctx, ms) ->
          LOG.info("{} {} {} {}ms", ctx.method(), ctx.path(), ctx.statusCode(), Math.round(ms)));
      routes(cfg.routes);
    });
    try {
      InetAddress.getByName(settings.host());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("Cannot listen on " + settings.host() + ": no such host or interface", e);
    }
    try {
      app.start(settings.host(), settings.port());
    } catch (RuntimeException e) {
      app.stop();
      BindException bind = cause(e, BindException.class);
      if (bind != null) {
        // "Address already in use" is the common case; anything else (an address not on this machine) says itself
        String why = bind.getMessage() == null || bind.getMessage().contains("in use") ? "the port is already in use"
            : bind.getMessage();
        throw new IllegalStateException("Cannot listen on " + settings.host() + ":" + settings.port() + ": " + why, e);
      }
      throw new IllegalStateException("Cannot start the IVS emulator on " + settings.host() + ":" + settings.port()
          + ": " + e.getMessage(), e);
    }
    this.server = app;
    LOG.info("IVS emulator listening on port {}, checking self-signed tokens with {}", app.port(),
        Es384Provider.fastest());
    String host = settings.host().equals("0.0.0.0") || settings.host().equals("::") ? "127.0.0.1" : settings.host();
    this.endpoint = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + app.port());
  }

  private void routes(RoutesConfig routes) {
    new ControlApi(this, json).register(routes);
    routes.get("/tags/<resourceArn>", ctx -> serve(ctx, "ListTagsForResource",
        () -> operations.listTagsForResource(ctx.pathParam("resourceArn"))));
    routes.post("/tags/<resourceArn>", ctx -> serve(ctx, "TagResource",
        () -> operations.tagResource(ctx.pathParam("resourceArn"), new RequestFields(body(ctx)))));
    routes.delete("/tags/<resourceArn>", ctx -> serve(ctx, "UntagResource",
        () -> operations.untagResource(ctx.pathParam("resourceArn"), ctx.queryParams("tagKeys"))));
    routes.post("/{operation}", ctx -> {
      String operation = ctx.pathParam("operation");
      if (!operations.postOperations().contains(operation)) {
        unknownOperation(ctx);
        return;
      }
      serve(ctx, operation, () -> operations.invoke(operation, new RequestFields(body(ctx))));
    });
    for (String path : List.of("/", "/<path>")) {
      routes.get(path, this::unknownOperation);
      routes.post(path, this::unknownOperation);
      routes.put(path, this::unknownOperation);
      routes.delete(path, this::unknownOperation);
      routes.patch(path, this::unknownOperation);
    }
    routes.exception(Exception.class, (e, ctx) -> {
      LOG.warn("The IVS emulator failed on {} {}", ctx.method(), ctx.path(), e);
      if (ctx.path().startsWith(CONTROL_PREFIX)) {
        ControlApi.error(ctx, json, 500, "internal_error", "The emulator failed: " + e);
      } else {
        error(ctx, IvsError.internal("The emulator failed: " + e));
      }
    });
  }

  /** One IVS call: faults and rate quotas first, as a real service would apply them, then the operation. */
  private void serve(Context ctx, String operation, Supplier<ObjectNode> action) {
    stats.recordCall(operation);
    if (faults.outage()) {
      stats.recordInjectedError();
      error(ctx, IvsError.unavailable("Service unavailable (emulated outage)"));
      return;
    }
    sleep(faults.latency().plus(faults.operationLatency(operation)));
    if (faults.accessDenied()) {
      stats.recordInjectedError();
      error(ctx, IvsError.accessDenied("User is not authorized to perform: ivs:" + operation));
      return;
    }
    if (faults.pendingVerification() && VERIFICATION_GATED.contains(operation)) {
      stats.recordInjectedError();
      error(ctx, IvsError.pendingVerification("Your account is pending verification"));
      return;
    }
    if (faults.throttling() && !buckets.tryAcquire(operation)) {
      stats.recordThrottled();
      error(ctx, IvsError.throttling("Rate exceeded"));
      return;
    }
    double errorRate = faults.errorRate();
    if (faults.takeFailure() || errorRate > 0 && ThreadLocalRandom.current().nextDouble() < errorRate) {
      stats.recordInjectedError();
      error(ctx, IvsError.internal("Internal server error (emulated)"));
      return;
    }
    try {
      ObjectNode response = action.get();
      ctx.status(200).header("x-amzn-RequestId", UUID.randomUUID().toString()).contentType("application/json")
          .result(response.toString());
    } catch (IvsError e) {
      error(ctx, e);
    }
  }

  private JsonNode body(Context ctx) {
    String body = ctx.body();
    if (body == null || body.isBlank()) {
      return json.createObjectNode();
    }
    try {
      JsonNode node = json.readTree(body);
      if (node == null || !node.isObject()) {
        throw IvsError.serialization("The request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw IvsError.serialization("The request body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private void unknownOperation(Context ctx) {
    if (ctx.path().startsWith(CONTROL_PREFIX)) {
      ControlApi.error(ctx, json, 404, "not_found", "No control endpoint " + ctx.method() + " " + ctx.path());
    } else {
      error(ctx, IvsError.unknownOperation("No IVS operation at " + ctx.method() + " " + ctx.path()));
    }
  }

  private void error(Context ctx, IvsError error) {
    ivsError(ctx, json, error);
  }

  /** Writes an IVS error response: status, {@code x-amzn-ErrorType}, and {@code {"message","exceptionMessage"}}. */
  static void ivsError(Context ctx, ObjectMapper json, IvsError error) {
    ObjectNode body = json.createObjectNode().put("message", error.getMessage())
        .put("exceptionMessage", error.getMessage());
    ctx.status(error.status()).header("x-amzn-ErrorType", error.code())
        .header("x-amzn-RequestId", UUID.randomUUID().toString()).contentType("application/json")
        .result(body.toString());
  }

  private static void sleep(Duration duration) {
    if (duration.isZero()) {
      return;
    }
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** The base URI to point an AWS SDK at, for example {@code http://127.0.0.1:4590}. */
  public URI endpoint() {
    return endpoint;
  }

  /** The port it listens on. */
  public int port() {
    return server.port();
  }

  /** The region in its ARNs; SDK clients should be configured with it. */
  public String region() {
    return settings.region();
  }

  /** The account id in its ARNs. */
  public String accountId() {
    return settings.accountId();
  }

  /** Injected faults, changeable while it runs. */
  public Faults faults() {
    return faults;
  }

  /** Call counters. */
  public EmulatorStats stats() {
    return stats;
  }

  /** Service and rate quotas, changeable while it runs. */
  public EmulatorQuotas quotas() {
    return quotas;
  }

  /** A subscriber joins with a participant token (as {@code new Stage(token, strategy).join()} would). */
  public EmulatedParticipant join(String token) {
    return join(token, false);
  }

  /**
   * A client joins the token's stage, publishing or only subscribing. The token is checked as IVS checks it; a token
   * already connected drops its older connection (token-reused). The stage's session starts with its first client.
   *
   * @throws ParticipantRejectedException when IVS would refuse the client (bad or expired token, missing capability,
   *     disconnected participant, deleted stage, full stage)
   */
  public EmulatedParticipant join(String token, boolean publish) {
    return region.join(token, publish, null);
  }

  /** Like {@link #join(String, boolean)}, and refuses a token that is for any stage but {@code stageArn}. */
  public EmulatedParticipant join(String token, boolean publish, String stageArn) {
    return region.join(token, publish, stageArn);
  }

  /** A client leaves; the session ends when its last client has left. False when it was not connected. */
  public boolean leave(String stageArn, String participantId) {
    return region.leave(stageArn, participantId);
  }

  /**
   * A connected client starts or stops publishing.
   *
   * @throws ParticipantRejectedException when the stage already has its maximum of publishers
   * @throws IllegalArgumentException when the participant is not connected
   */
  public EmulatedParticipant publish(String stageArn, String participantId, boolean publishing) {
    return region.setPublishing(stageArn, participantId, publishing);
  }

  /** Clients connected to a stage now, replicas included, in the order they joined. */
  public List<EmulatedParticipant> participants(String stageArn) {
    return region.connectedParticipants(stageArn);
  }

  /** ARNs of every stage, oldest first. */
  public List<String> stages() {
    return region.stageArns();
  }

  /** Forgets every stage, key and participant, and resets stats, faults, quotas and rate buckets. */
  public void reset() {
    region.clear();
    stats.reset();
    faults.clear();
    quotas.reset();
    buckets.reset();
  }

  /** Stops the server. */
  @Override
  public void close() {
    if (server != null) {
      server.stop();
    }
  }

  @Override
  public String toString() {
    return "IvsEmulator[" + endpoint + ", " + settings.region() + ", " + settings.accountId() + "]";
  }
}
