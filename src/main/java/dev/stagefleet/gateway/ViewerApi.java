package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The viewer's API: join a broadcast (placement and a SUBSCRIBE token) and keep a presence socket. While every
 * stage is full and another can be added, a join is held (a long poll) until a seat is free or the bound passes.
 */
final class ViewerApi {
  static final String VIEWERS = BroadcasterApi.BASE + "/viewers";
  static final String PRESENCE = VIEWERS + "/{viewerId}/presence";
  /** How long a join is held for a seat when the client did not say (short enough for any HTTP client's timeout). */
  static final Duration DEFAULT_HOLD = Duration.ofSeconds(10);
  /** The longest hold a client may ask for with {@code Prefer: wait=N}. */
  static final Duration MAX_HOLD = Duration.ofSeconds(25);
  private static final Pattern PREFER_WAIT = Pattern.compile("(?i)(?:^|[,;\\s])wait\\s*=\\s*(\\d{1,6})");

  record JoinRequest(String userId, String waitId) {
  }

  /** The answer to a client that asked to wait ({@code Prefer: wait=N}) and has no seat yet: ask again with waitId. */
  record WaitResponse(String waitId, int position, int waiting, long expectedWaitSeconds, String message) {
  }

  record JoinResponse(String viewerId, String stageArn, String stageId, String token, String participantId,
      String expiresAt, String presenceUrl) {
  }

  private final BroadcastDirectory directory;
  private final Audience audience;
  private final WaitingRoom room;
  private final TokenIssuer tokens;
  private final ClientRateLimits joinLimits;
  private final GatewayMetrics metrics;
  private final Sockets<Viewer> sockets;
  private final boolean trustForwardedFor;
  private final int retryAfterSeconds;

  ViewerApi(BroadcastDirectory directory, Audience audience, WaitingRoom room, TokenIssuer tokens,
      GatewaySettings settings, GatewayMetrics metrics) {
    this.tokens = tokens;
    this.directory = directory;
    this.audience = audience;
    this.room = room;
    this.joinLimits = new ClientRateLimits(settings.viewerJoinsPerSecondPerIp());
    this.metrics = metrics;
    this.sockets = new Sockets<>("presence", settings.socketQueueLimit(), metrics);
    this.trustForwardedFor = settings.trustForwardedFor();
    this.retryAfterSeconds = settings.retryAfterSeconds();
  }

  void routes(RoutesConfig routes) {
    routes.post(VIEWERS, this::join);
    routes.wsBeforeUpgrade(PRESENCE, ctx -> viewer(ctx.pathParam("ns"), ctx.pathParam("name"),
        ctx.pathParam("viewerId")));
    routes.ws(PRESENCE, ws -> {
      ws.onConnect(ctx -> {
        Viewer viewer = viewer(ctx.pathParam("ns"), ctx.pathParam("name"), ctx.pathParam("viewerId"));
        SocketOutbox[] outbox = new SocketOutbox[1];
        sockets.opened(ctx, o -> {
          outbox[0] = o;
          return viewer;
        });
        audience.connected(viewer, outbox[0]);
      });
      ws.onClose(ctx -> disconnected(ctx));
      ws.onError(ctx -> disconnected(ctx));
    });
  }

  void closeAll() {
    sockets.closeAll("the gateway is shutting down");
  }

  private void disconnected(io.javalin.websocket.WsContext ctx) {
    SocketOutbox outbox = sockets.outbox(ctx);
    Viewer viewer = sockets.closed(ctx);
    if (viewer != null) {
      audience.disconnected(viewer, outbox);
    }
  }

  private void join(Context ctx) {
    BroadcastKey key = RequestInput.broadcast(ctx.pathParam("ns"), ctx.pathParam("name"));
    if (!joinLimits.tryAcquire(RequestInput.clientAddress(ctx, trustForwardedFor))) {
      metrics.viewerJoin("rate_limited");
      throw new ApiError(429, "rate_limited", "too many joins from this address; slow down",
          Map.of("Retry-After", "1"));
    }
    JoinRequest request = RequestInput.json(ctx.bodyAsBytes(), JoinRequest.class, new JoinRequest(null, null));
    GatewayClaims.WaitPass place = room.place(key, request.waitId()).orElse(null);
    String preferHeader = ctx.header("Prefer");
    Matcher prefer = preferHeader == null ? null : PREFER_WAIT.matcher(preferHeader); // most joins send none
    boolean asked = prefer != null && prefer.find();
    Duration hold = asked ? Duration.ofSeconds(Math.max(1, Math.min(MAX_HOLD.toSeconds(),
        Long.parseLong(prefer.group(1))))) : DEFAULT_HOLD;
    String userId = RequestInput.userId(request.userId());
    LiveBroadcast broadcast = RequestInput.existingBroadcast(directory, key);
    if (broadcast.getMetadata().getDeletionTimestamp() != null) {
      throw new ApiError(410, "ended", "the broadcast " + key + " has ended");
    }
    tokens.requireReady();
    WaitingRoom.Admission admission = metrics.placement().record(() -> room.join(broadcast, userId, place));
    if (admission.now() != null) {
      answer(ctx, key, admission.now());
      return;
    }
    WaitingRoom.Ticket ticket = admission.held();
    metrics.viewerJoin("held");
    ctx.future(() -> ticket.seat().completeOnTimeout(null, hold.toMillis(), TimeUnit.MILLISECONDS)
        .thenAccept(result -> {
          if (result != null) {
            answer(ctx, key, result);
            return;
          }
          room.released(key, ticket, asked ? WaitingRoom.COME_BACK_WITHIN : Duration.ZERO);
          if (!asked) {
            answer(ctx, key, new JoinResult.Full(false, broadcast.getSpec().getMaxStages()));
            return;
          }
          int position = Math.max(1, room.position(key, ticket.waiterId()));
          ctx.header("Preference-Applied", "wait=" + hold.toSeconds()).header("Retry-After", "0").status(202)
              .json(new WaitResponse(room.waitId(key, ticket, WaitingRoom.COME_BACK_WITHIN), position, room.waiting(key),
                  Math.max(1, ticket.expectedWait().toSeconds()), "every stage is full and another stage is being "
                      + "added; you are number " + position + " in line: ask again with this waitId"));
        }));
  }

  /** Answers a join that has a result: 201 with the token, or the refusal. */
  private void answer(Context ctx, BroadcastKey key, JoinResult result) {
    if (!(result instanceof JoinResult.Placed joined)) {
      throw refusal(key, result);
    }
    metrics.viewerJoin("placed");
    ctx.status(201).json(new JoinResponse(joined.viewerId(), joined.stage().getArn(), joined.stage().getId(),
        joined.token().token(), joined.token().participantId(), joined.token().expiresAt().toString(),
        key.apiPath() + "/viewers/" + joined.presencePass() + "/presence"));
  }

  /** The HTTP answer to a join that placed no one. */
  private ApiError refusal(BroadcastKey key, JoinResult result) {
    Map<String, String> retry = Map.of("Retry-After", String.valueOf(retryAfterSeconds));
    if (result instanceof JoinResult.NoSeatHere) {
      metrics.viewerJoin("full");
      return new ApiError(503, "full", "every seat with room is being handed between gateway replicas; try again in a "
          + "moment", retry);
    }
    if (result instanceof JoinResult.Full full) {
      metrics.viewerJoin("full");
      return new ApiError(503, "full", full.atMaxStages()
          ? "every stage is full and the broadcast is at its limit of " + full.maxStages() + " stages; try again later"
          : "every stage is full; another stage is being added, try again in a few seconds", retry);
    }
    if (result instanceof JoinResult.NoStage) {
      metrics.viewerJoin("no_stage");
      return new ApiError(409, "no_stage", "the broadcast " + key + " has no stage to watch yet; "
          + "try again when it is live", retry);
    }
    return new ApiError(410, "ended", "the broadcast " + key + " has ended");
  }

  /**
   * The viewer a presence path names: a presence pass (any replica's, verified by its signature, then taken over if
   * another replica placed it), or the bare id of a viewer this replica placed.
   */
  private Viewer viewer(String ns, String name, String passOrId) {
    BroadcastKey key = RequestInput.broadcast(ns, name);
    Optional<Viewer> known = audience.viewer(key, passOrId);
    if (known.isPresent()) {
      return known.get();
    }
    var pass = audience.verifiedPass(key, passOrId);
    if (pass.isEmpty()) {
      throw ApiError.notFound("the presence pass is not valid for " + key
          + " (expired, signed with another key, or for another broadcast); join again");
    }
    return audience.adopt(pass.get()).orElseThrow(() -> new ApiError(410, "ended", "the broadcast " + key
        + " has ended"));
  }
}
