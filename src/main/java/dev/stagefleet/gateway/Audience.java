package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.JoinResult.Ended;
import dev.stagefleet.gateway.JoinResult.Full;
import dev.stagefleet.gateway.JoinResult.NoStage;
import dev.stagefleet.gateway.TokenMinter.MintedToken;
import dev.stagefleet.scaling.ViewerPlacement;
import dev.stagefleet.scaling.ViewerPlacement.AllFull;
import dev.stagefleet.scaling.ViewerPlacement.Decision;
import dev.stagefleet.scaling.ViewerPlacement.Placed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The viewers this replica placed, one {@link AudienceBook} per broadcast: joins, presence sockets, and the counts
 * per stage that the audience reports carry. Placement for one broadcast happens under its book's lock, so
 * concurrent joins never overfill a stage. Viewers on a stage that stops being Active are moved by {@link ViewerMoves}.
 */
final class Audience implements BroadcastDirectory.Listener {
  private final Function<BroadcastKey, Optional<LiveBroadcast>> directory;
  private final TokenIssuer tokens;
  private final GatewayClaims claims;
  private final String replicaId;
  private final Clock clock;
  private final Duration pendingWindow;
  private final Seating seating;
  private final ViewerMoves moves;
  private final Executor changes;
  private final Map<BroadcastKey, AudienceBook> books = new ConcurrentHashMap<>();
  private final Map<String, Viewer> viewersById = new ConcurrentHashMap<>();
  private final SeatBook seatBook;
  /** Asks the reporter to claim seats soon (a join found room only in other replicas' seats). */
  private volatile Runnable seatsWanted = () -> { };
  private final Runnable metricsAdopted;

  Audience(BroadcastDirectory directory, TokenIssuer tokens, GatewayClaims claims, Clock clock,
      GatewaySettings settings, Executor changes, GatewayMetrics metrics) {
    this(directory::find, tokens, claims, clock, settings, changes, metrics);
  }

  /** With the broadcasts looked up by {@code directory} (tests pass a map's lookup). */
  Audience(Function<BroadcastKey, Optional<LiveBroadcast>> directory, TokenIssuer tokens, GatewayClaims claims,
      Clock clock, GatewaySettings settings, Executor changes, GatewayMetrics metrics) {
    this.directory = directory;
    this.claims = claims;
    this.replicaId = settings.replicaId();
    this.tokens = tokens;
    this.clock = clock;
    this.pendingWindow = settings.pendingViewerWindow();
    this.seating = new Seating(settings.replicaId());
    this.changes = changes;
    this.moves = new ViewerMoves(directory, books::get, this::broadcasts, seating, tokens, clock, changes, metrics,
        () -> seatsWanted.run(), this::pass);
    metrics.audienceGauges(() -> countViewers(true), () -> countViewers(false));
    this.metricsAdopted = () -> metrics.viewerJoin("adopted");
    this.seatBook = new SeatBook(books, clock, pendingWindow);
  }

  /**
   * Places a viewer on the fullest Active stage with room and mints its SUBSCRIBE token.
   *
   * @throws TokenUnavailable when the token cannot be minted (the viewer is not placed)
   */
  JoinResult join(LiveBroadcast broadcast, String userId) {
    BroadcastKey key = BroadcastKey.of(broadcast);
    AudienceBook book = books.computeIfAbsent(key, k -> new AudienceBook(pendingWindow));
    String viewerId = newViewerId(); // outside the book's lock, which every join of the broadcast takes
    Viewer viewer;
    synchronized (book) {
      if (book.ended()) {
        return new Ended();
      }
      Instant now = clock.instant();
      Decision decision = seating.place(book, newestStatus(key, broadcast), now);
      if (decision instanceof AllFull full) {
        return new Full(full.atMaxStages(), broadcast.getSpec().getMaxStages());
      }
      if (decision instanceof ViewerPlacement.NoSeatHere) {
        book.seatsLacked(now);
        seatsWanted.run();
        return new JoinResult.NoSeatHere();
      }
      if (!(decision instanceof Placed placed)) {
        return new NoStage();
      }
      viewer = new Viewer(viewerId, key, userId, Seating.placedOn(book, placed.stageId()), now);
      book.add(viewer, now);
      viewersById.put(viewer.id(), viewer);
    }
    try {
      MintedToken token = tokens.subscribe(broadcast, viewer.stage(), userId);
      return new JoinResult.Placed(viewer.id(), viewer.stage(), token, pass(viewer, token.expiresAt()));
    } catch (RuntimeException e) {
      synchronized (book) {
        book.remove(viewer, clock.instant());
        viewersById.remove(viewer.id());
      }
      throw e;
    }
  }

  /**
   * The newest version of the broadcast the directory holds, when its spec is the one the caller checked (same
   * generation): joins that waited for the book's lock holding an older version would otherwise make placement
   * rebuild its index back and forth between versions after every status change.
   */
  private LiveBroadcast newestStatus(BroadcastKey key, LiveBroadcast broadcast) {
    Long generation = broadcast.getMetadata().getGeneration();
    return directory.apply(key).filter(b -> b.getSpec() != null && b.getMetadata() != null
        && Objects.equals(b.getMetadata().getGeneration(), generation)).orElse(broadcast);
  }

  /** The seats this replica holds and the viewers it took over, per broadcast, for its audience report. */
  SeatBook seatBook() {
    return seatBook;
  }

  /** What to run when a join finds room only in other replicas' seats: the reporter claims some. */
  void onSeatsWanted(Runnable action) {
    this.seatsWanted = action;
  }

  /** A presence pass for the viewer on its stage now, good until {@code expiresAt} (its token's expiry). */
  String pass(Viewer viewer, Instant expiresAt) {
    return claims.presence(viewer, replicaId, expiresAt);
  }

  /** The viewer a presence pass names, if it is valid for the broadcast. */
  Optional<GatewayClaims.PresencePass> verifiedPass(BroadcastKey broadcast, String pass) {
    return claims.presence(pass).filter(p -> p.broadcast().equals(broadcast));
  }

  /**
   * The viewer of a presence pass: the one this replica holds, or, when another replica placed it (or this one
   * restarted), the viewer taken over on the stage its pass names, without a new join or token. Empty when the
   * broadcast is gone.
   */
  Optional<Viewer> adopt(GatewayClaims.PresencePass pass) {
    Optional<Viewer> known = viewer(pass.broadcast(), pass.viewerId());
    if (known.isPresent()) {
      return known;
    }
    LiveBroadcast broadcast = directory.apply(pass.broadcast()).orElse(null);
    if (broadcast == null || broadcast.getMetadata().getDeletionTimestamp() != null) {
      return Optional.empty();
    }
    // a stage gone from the status is still where the viewer watches: take it over there and let the moves act
    StageStatus stage = Seating.stages(broadcast).stream().filter(s -> pass.stageId().equals(s.getId())).findFirst()
        .orElseGet(() -> new StageStatus(pass.stageId(), pass.stageArn(), StageStatus.DRAINING, null, null, null,
            null));
    AudienceBook book = books.computeIfAbsent(pass.broadcast(), k -> new AudienceBook(pendingWindow));
    synchronized (book) {
      if (book.ended()) {
        return Optional.empty();
      }
      Viewer existing = viewersById.get(pass.viewerId());
      if (existing != null) {
        return Optional.of(existing);
      }
      Instant now = clock.instant();
      Viewer viewer = new Viewer(pass.viewerId(), pass.broadcast(), pass.userId(), stage, now);
      if (pass.replica() != null && !pass.replica().equals(replicaId)) {
        viewer.adoptedFrom(pass.replica(), pass.stageId(), now);
      }
      book.add(viewer, now);
      viewersById.put(viewer.id(), viewer);
      metricsAdopted.run();
      return Optional.of(viewer);
    }
  }

  /** The viewer with this id, if it belongs to the broadcast. */
  Optional<Viewer> viewer(BroadcastKey broadcast, String viewerId) {
    Viewer viewer = viewerId == null ? null : viewersById.get(viewerId);
    return viewer != null && viewer.broadcast().equals(broadcast) ? Optional.of(viewer) : Optional.empty();
  }

  /** The viewer's presence socket opened: it counts as present (a second socket replaces the first). */
  void connected(Viewer viewer, SocketOutbox socket) {
    AudienceBook book = books.get(viewer.broadcast());
    if (book == null) {
      socket.offer(SocketMessages.ended(clock.instant()));
      socket.closeAfterSending(SocketOutbox.CLOSE_NORMAL, "the broadcast has ended");
      return;
    }
    SocketOutbox replaced;
    String stageId;
    synchronized (book) {
      replaced = book.connected(viewer, socket, clock.instant());
      stageId = viewer.stage().getId();
    }
    if (replaced != null && replaced != socket) {
      replaced.closeAfterSending(SocketOutbox.CLOSE_POLICY, "replaced by a newer presence connection");
    }
    // a viewer that arrives on a stage which meanwhile began draining is told to move at once
    boolean onActiveStage = directory.apply(viewer.broadcast()).map(b -> Seating.stages(b).stream()
        .anyMatch(s -> s.isActive() && stageId.equals(s.getId()))).orElse(false);
    if (!onActiveStage) {
      moves.relocateSoon(viewer.broadcast());
    }
  }

  /** The viewer's presence socket closed: it still counts for the pending window, in case it comes back. */
  void disconnected(Viewer viewer, SocketOutbox socket) {
    AudienceBook book = books.get(viewer.broadcast());
    if (book == null) {
      return;
    }
    synchronized (book) {
      book.disconnected(viewer, socket, clock.instant());
    }
  }

  /**
   * Viewers per stage id on this replica (present, or issued a token / dropped within the pending window); forgets
   * viewers whose window has passed.
   */
  Map<String, Integer> counts(BroadcastKey key) {
    AudienceBook book = books.get(key);
    if (book == null) {
      return Map.of();
    }
    Instant now = clock.instant();
    synchronized (book) {
      book.forgetExpired(now).forEach(v -> viewersById.remove(v.id()));
      return new TreeMap<>(book.counting(now));
    }
  }

  /** The broadcasts this replica has viewers for. */
  Set<BroadcastKey> broadcasts() {
    return Set.copyOf(books.keySet());
  }

  /** The moves of viewers off stages that stop being Active (the server schedules their retries). */
  ViewerMoves moves() {
    return moves;
  }

  @Override
  public void changed(LiveBroadcast broadcast) {
    BroadcastKey key = BroadcastKey.of(broadcast);
    if (broadcast.getMetadata().getDeletionTimestamp() != null) {
      changes.execute(() -> end(key));
    } else if (books.containsKey(key)) {
      moves.relocateSoon(key);
    }
  }

  @Override
  public void removed(LiveBroadcast lastKnown) {
    BroadcastKey key = BroadcastKey.of(lastKnown);
    changes.execute(() -> end(key));
  }

  /** Sends a heartbeat on every presence socket. */
  void heartbeat() {
    String beat = SocketMessages.heartbeat(clock.instant());
    for (AudienceBook book : books.values()) {
      List<SocketOutbox> sockets;
      synchronized (book) {
        sockets = book.present().stream().map(Viewer::socket).filter(s -> s != null).toList();
      }
      sockets.forEach(s -> s.offer(beat));
    }
  }

  /** Tells every present viewer of the broadcast that it ended, and forgets them. */
  private void end(BroadcastKey key) {
    AudienceBook book = books.remove(key);
    if (book == null) {
      return;
    }
    List<SocketOutbox> sockets = new ArrayList<>();
    synchronized (book) {
      for (Viewer viewer : book.end()) {
        viewersById.remove(viewer.id());
        if (viewer.socket() != null) {
          sockets.add(viewer.socket());
        }
      }
    }
    String ended = SocketMessages.ended(clock.instant());
    for (SocketOutbox socket : sockets) {
      socket.offer(ended);
      socket.closeAfterSending(SocketOutbox.CLOSE_NORMAL, "the broadcast has ended");
    }
  }

  private int countViewers(boolean present) {
    int n = 0;
    for (AudienceBook book : books.values()) {
      synchronized (book) {
        n += present ? book.present().size() : book.viewers().size() - book.present().size();
      }
    }
    return n;
  }

  private static String newViewerId() {
    byte[] bytes = new byte[16];
    ThreadRandom.get().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
