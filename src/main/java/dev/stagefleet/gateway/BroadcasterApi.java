package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.TokenMinter.MintedToken;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The broadcaster's API, authenticated with the broadcast's API key: its stages with PUBLISH tokens, one stage's
 * token, socket tickets and the events socket; plus the seed design's legacy endpoints.
 */
final class BroadcasterApi {
  static final String BASE = "/api/v1/namespaces/{ns}/livebroadcasts/{name}";

  record StageToken(String stageArn, String stageId, String state, String token, String participantId,
      String expiresAt) {
  }

  record StagesResponse(List<StageToken> stages, String timestamp) {
  }

  record StageTokenRequest(String stageArn) {
  }

  record TicketResponse(String ticket, String expiresAt, String url) {
  }

  record LegacyStage(String stageArn, String stageId, String token, String participantId, String expiresAt,
      int viewerCount) {
  }

  record LegacyStagesResponse(List<LegacyStage> stages, int total, String timestamp) {
  }

  record LegacyTokenResponse(String token, String stageArn, String stageId, String participantId, String expiresAt,
      long expiresIn, String timestamp) {
  }

  private final BroadcastDirectory directory;
  private final TokenIssuer tokens;
  private final SocketTickets tickets;
  private final BroadcasterEvents events;
  private final Sockets<BroadcasterEvents.Subscriber> sockets;
  private final Sockets<BroadcasterEvents.Subscriber> legacySockets;
  private final Clock clock;
  private final FailedAuthentications failures;
  private final boolean trustForwardedFor;

  BroadcasterApi(BroadcastDirectory directory, TokenIssuer tokens, SocketTickets tickets, BroadcasterEvents events,
      GatewaySettings settings, GatewayMetrics metrics, Clock clock) {
    this.directory = directory;
    this.tokens = tokens;
    this.tickets = tickets;
    this.events = events;
    this.sockets = new Sockets<>("broadcaster", settings.socketQueueLimit(), metrics);
    this.legacySockets = new Sockets<>("legacy", settings.socketQueueLimit(), metrics);
    this.clock = clock;
    this.failures = new FailedAuthentications(clock);
    this.trustForwardedFor = settings.trustForwardedFor();
  }

  void routes(RoutesConfig routes, boolean legacy) {
    routes.get(BASE + "/stages", this::stages);
    routes.post(BASE + "/stage-token", this::stageToken);
    routes.post(BASE + "/ws-ticket", this::ticket);
    routes.wsBeforeUpgrade(BASE + "/events", this::checkTicket);
    routes.ws(BASE + "/events", ws -> {
      ws.onConnect(ctx -> {
        BroadcastKey key = RequestInput.broadcast(ctx.pathParam("ns"), ctx.pathParam("name"));
        events.subscribe(sockets.opened(ctx, outbox -> new BroadcasterEvents.Subscriber(key, outbox, false)));
      });
      ws.onClose(ctx -> unsubscribe(sockets.closed(ctx)));
      ws.onError(ctx -> unsubscribe(sockets.closed(ctx)));
    });
    if (legacy) {
      routes.get("/api/broadcaster/stages", this::legacyStages);
      routes.post("/api/broadcaster/stage-token", this::legacyStageToken);
      // the seed design drew the socket at the root; the seed's own broadcaster page opens it at /ws
      for (String path : new String[] {"/", "/ws"}) {
        routes.wsBeforeUpgrade(path, ctx -> {
          if (!"broadcaster".equals(ctx.queryParam("type"))) {
            throw ApiError.badRequest("the legacy socket serves broadcasters only: "
                + "connect with ?type=broadcaster&apiKey=KEY");
          }
          keyOwner(ctx, ctx.queryParam("apiKey"));
        });
        routes.ws(path, ws -> {
          ws.onConnect(ctx -> {
            BroadcastKey key = BroadcastKey.of(broadcastForKey(ctx.queryParam("apiKey")));
            events.subscribe(legacySockets.opened(ctx, outbox -> new BroadcasterEvents.Subscriber(key, outbox,
                true)));
          });
          ws.onClose(ctx -> unsubscribe(legacySockets.closed(ctx)));
          ws.onError(ctx -> unsubscribe(legacySockets.closed(ctx)));
        });
      }
    }
  }

  void closeAll() {
    sockets.closeAll("the gateway is shutting down");
    legacySockets.closeAll("the gateway is shutting down");
  }

  private void unsubscribe(BroadcasterEvents.Subscriber subscriber) {
    if (subscriber != null) {
      events.unsubscribe(subscriber);
    }
  }

  private void stages(Context ctx) {
    LiveBroadcast broadcast = authenticate(ctx, key(ctx));
    List<StageToken> stages = new ArrayList<>();
    for (StageStatus stage : activeStages(broadcast)) {
      stages.add(stageToken(stage, tokens.publish(broadcast, stage)));
    }
    ctx.json(new StagesResponse(stages, clock.instant().toString()));
  }

  private void stageToken(Context ctx) {
    LiveBroadcast broadcast = authenticate(ctx, key(ctx));
    StageTokenRequest request = RequestInput.json(ctx.bodyAsBytes(), StageTokenRequest.class, null);
    StageStatus stage = stageOf(broadcast, RequestInput.stageArn(request.stageArn()));
    ctx.json(stageToken(stage, tokens.publish(broadcast, stage)));
  }

  private void ticket(Context ctx) {
    BroadcastKey key = key(ctx);
    authenticate(ctx, key);
    SocketTickets.Issued issued = tickets.issue(key);
    ctx.json(new TicketResponse(issued.ticket(), issued.expiresAt().toString(),
        key.apiPath() + "/events?ticket=" + issued.ticket()));
  }

  private void checkTicket(Context ctx) {
    BroadcastKey key = key(ctx);
    String ticket = ctx.queryParam("ticket");
    if (ticket == null || ticket.isEmpty()) {
      throw new ApiError(401, "unauthorized", "the events socket needs ?ticket=..., from POST " + key.apiPath()
          + "/ws-ticket");
    }
    Optional<BroadcastKey> redeemed = tickets.redeem(ticket);
    if (redeemed.isEmpty()) {
      throw new ApiError(401, "unauthorized", "the ticket is unknown, used already or expired; fetch a new one");
    }
    if (!redeemed.get().equals(key)) {
      throw new ApiError(403, "forbidden", "the ticket was issued for another broadcast");
    }
    if (directory.find(key).isEmpty()) {
      throw ApiError.notFound("LiveBroadcast " + key + " not found");
    }
  }

  private void legacyStages(Context ctx) {
    LiveBroadcast broadcast = keyOwner(ctx, presentedKey(ctx).orElse(null));
    List<LegacyStage> stages = new ArrayList<>();
    for (StageStatus stage : activeStages(broadcast)) {
      MintedToken token = tokens.publish(broadcast, stage);
      stages.add(new LegacyStage(stage.getArn(), stage.getId(), token.token(), token.participantId(),
          token.expiresAt().toString(), stage.getViewers() == null ? 0 : stage.getViewers()));
    }
    ctx.json(new LegacyStagesResponse(stages, stages.size(), clock.instant().toString()));
  }

  private void legacyStageToken(Context ctx) {
    LiveBroadcast broadcast = keyOwner(ctx, presentedKey(ctx).orElse(null));
    StageTokenRequest request = RequestInput.json(ctx.bodyAsBytes(), StageTokenRequest.class, null);
    StageStatus stage = stageOf(broadcast, RequestInput.stageArn(request.stageArn()));
    MintedToken token = tokens.publish(broadcast, stage);
    Instant now = clock.instant();
    ctx.json(new LegacyTokenResponse(token.token(), stage.getArn(), stage.getId(), token.participantId(),
        token.expiresAt().toString(), Math.max(0, Duration.between(now, token.expiresAt()).toSeconds()),
        now.toString()));
  }

  /** The broadcast, after checking the request carries its API key. */
  private LiveBroadcast authenticate(Context ctx, BroadcastKey key) {
    String client = RequestInput.clientAddress(ctx, trustForwardedFor);
    refuseWhileHeldOff(client);
    LiveBroadcast broadcast = RequestInput.existingBroadcast(directory, key);
    byte[] presented = presentedKey(ctx).map(k -> k.getBytes(StandardCharsets.UTF_8))
        .orElseThrow(BroadcasterApi::missingKey);
    byte[] expected = directory.apiKey(broadcast).orElseThrow(() -> keyUnavailable(broadcast));
    if (!MessageDigest.isEqual(presented, expected)) {
      failures.failed(client);
      throw new ApiError(403, "forbidden", "the API key is not the key of " + key);
    }
    return broadcast;
  }

  /** {@link #broadcastForKey}, counting a wrong key against the client's address. */
  private LiveBroadcast keyOwner(Context ctx, String presentedKey) {
    String client = RequestInput.clientAddress(ctx, trustForwardedFor);
    refuseWhileHeldOff(client);
    try {
      return broadcastForKey(presentedKey);
    } catch (ApiError e) {
      if (e.status() == 403) {
        failures.failed(client);
      }
      throw e;
    }
  }

  /** 429 while the client has used up its wrong keys; what it presents is not looked at, nor logged. */
  private void refuseWhileHeldOff(String client) {
    failures.holdOff(client).ifPresent(wait -> {
      throw new ApiError(429, "too_many_failed_authentications", "too many wrong API keys from this address; "
          + "wait before trying again", Map.of("Retry-After", String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000))));
    });
  }

  /** The one broadcast whose API key this is (the legacy endpoints carry no broadcast name). */
  private LiveBroadcast broadcastForKey(String presentedKey) {
    if (presentedKey == null || presentedKey.isEmpty()) {
      throw missingKey();
    }
    byte[] presented = presentedKey.getBytes(StandardCharsets.UTF_8);
    List<LiveBroadcast> matches = new ArrayList<>();
    for (LiveBroadcast broadcast : directory.all()) {
      Optional<byte[]> expected = directory.apiKey(broadcast);
      // compare with every broadcast's key, matched or not, so the time taken says nothing about the keys
      if (expected.isPresent() & MessageDigest.isEqual(presented, expected.orElse(new byte[0]))) {
        matches.add(broadcast);
      }
    }
    if (matches.isEmpty()) {
      throw new ApiError(403, "forbidden", "the API key belongs to no broadcast");
    }
    if (matches.size() == 1) {
      // the same checks as for a named broadcast
      RequestInput.existingBroadcast(directory, BroadcastKey.of(matches.get(0)));
    }
    if (matches.size() > 1) {
      throw new ApiError(409, "ambiguous_key", "the API key belongs to several broadcasts; use "
          + "/api/v1/namespaces/{ns}/livebroadcasts/{name}/... to name one");
    }
    return matches.get(0);
  }

  private static Optional<String> presentedKey(Context ctx) {
    String header = ctx.header("x-api-key");
    if (header != null && !header.isBlank()) {
      return Optional.of(header.strip());
    }
    String authorization = ctx.header("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = authorization.substring(7).strip();
      return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
    return Optional.empty();
  }

  private static ApiError missingKey() {
    return new ApiError(401, "unauthorized", "an API key is required: send it as the x-api-key header "
        + "or as Authorization: Bearer <key>", Map.of("WWW-Authenticate", "Bearer"));
  }

  private static ApiError keyUnavailable(LiveBroadcast broadcast) {
    var ref = broadcast.getSpec().getBroadcaster() == null ? null
        : broadcast.getSpec().getBroadcaster().getApiKeySecretRef();
    String secret = ref == null ? "(none)" : ref.getName() + " (key " + ref.getKey() + ")";
    return new ApiError(503, "api_key_unavailable", "the API key Secret " + secret + " of "
        + BroadcastKey.of(broadcast) + " does not exist, is empty, or lacks the label "
        + BroadcastDirectory.READABLE_LABEL + "=true, so no key can be checked",
        Map.of("Retry-After", "10"));
  }

  private static BroadcastKey key(Context ctx) {
    return RequestInput.broadcast(ctx.pathParam("ns"), ctx.pathParam("name"));
  }

  private static List<StageStatus> activeStages(LiveBroadcast broadcast) {
    return broadcast.getStatus() == null ? List.of()
        : broadcast.getStatus().stagesOrEmpty().stream().filter(StageStatus::isActive).toList();
  }

  private static StageStatus stageOf(LiveBroadcast broadcast, String arn) {
    List<StageStatus> stages = broadcast.getStatus() == null ? List.of() : broadcast.getStatus().stagesOrEmpty();
    return stages.stream().filter(s -> arn.equals(s.getArn())).findFirst()
        .orElseThrow(() -> new ApiError(404, "stage_not_found", "stage " + arn.substring(arn.lastIndexOf('/') + 1)
            + " is not a stage of " + BroadcastKey.of(broadcast)));
  }

  private static StageToken stageToken(StageStatus stage, MintedToken token) {
    return new StageToken(stage.getArn(), stage.getId(), stage.getState(), token.token(), token.participantId(),
        token.expiresAt().toString());
  }
}
