package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.TokenMinter.MintedToken;
import dev.stagefleet.scaling.ViewerPlacement;
import dev.stagefleet.scaling.ViewerPlacement.AllFull;
import dev.stagefleet.scaling.ViewerPlacement.Decision;
import dev.stagefleet.scaling.ViewerPlacement.NoActiveStage;
import dev.stagefleet.scaling.ViewerPlacement.Placed;
import dev.stagefleet.scaling.ViewerPlacement.StageLoad;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The viewers this replica placed: where each one is, whether its presence socket is open, and the counts per stage
 * that placement and the audience reports use. Placement for one broadcast happens under that broadcast's lock, so
 * concurrent joins never overfill a stage. Viewers on a stage that stops being Active are told to move.
 */
final class Audience implements BroadcastDirectory.Listener {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One viewer this replica handed a token to. Guarded by its broadcast's {@link Book}. */
  static final class Viewer {
    final String id;
    final BroadcastKey broadcast;
    final String userId;
    StageStatus stage;
    /** When the token was issued or the presence socket dropped: the viewer counts until the window passes. */
    Instant since;
    boolean present;
    boolean moving;
    SocketOutbox socket;
    /** Whether the viewer is in its book (not yet forgotten). */
    boolean listed;
    /** The stage id the viewer is counted on in its book's counts, or null when it does not count. */
    String countedOn;

    Viewer(String id, BroadcastKey broadcast, String userId, StageStatus stage, Instant since) {
      this.id = id;
      this.broadcast = broadcast;
      this.userId = userId;
      this.stage = stage;
      this.since = since;
    }
  }

  /**
   * The viewers of one broadcast; its monitor is the placement lock. Keeps the number of counting viewers per stage
   * up to date as viewers change, so placement never walks the whole book: a viewer that is not present stops
   * counting when its pending window passes, which {@link #expire} catches up on lazily from a queue ordered by
   * that time. Every method must be called holding the book's monitor.
   */
  private static final class Book {
    final Map<String, Viewer> viewers = new LinkedHashMap<>();
    boolean ended;
    private final Duration pendingWindow;
    /** Counting viewers per stage id (entries are removed when they reach zero). */
    private final Map<String, Integer> counting = new HashMap<>();
    /** When a not-present viewer may stop counting; entries are checked again when due (the viewer may have changed). */
    private final PriorityQueue<Expiry> expiries = new PriorityQueue<>(Comparator.comparing(Expiry::at));
    /** Viewers that stopped counting since the last {@link #forgetExpired}. */
    private final List<Viewer> expired = new ArrayList<>();

    Book(Duration pendingWindow) {
      this.pendingWindow = pendingWindow;
    }

    /** Whether the viewer counts at {@code now}: present, or issued a token / dropped within the pending window. */
    boolean counts(Viewer viewer, Instant now) {
      return viewer.present || viewer.since.plus(pendingWindow).isAfter(now);
    }

    void add(Viewer viewer, Instant now) {
      viewers.put(viewer.id, viewer);
      viewer.listed = true;
      pending(viewer, now);
      if (viewer.countedOn == null) {
        expired.add(viewer); // a pending window of zero: it never counted
      }
    }

    void remove(Viewer viewer, Instant now) {
      if (viewers.remove(viewer.id, viewer)) {
        viewer.listed = false;
        recount(viewer, now);
      }
    }

    /** The viewer dropped or was just issued a token at {@code viewer.since}: it counts until the window passes. */
    void pending(Viewer viewer, Instant now) {
      expiries.add(new Expiry(viewer.since.plus(pendingWindow), viewer));
      recount(viewer, now);
    }

    /** Moves the viewer to another stage, and its count with it. */
    void move(Viewer viewer, StageStatus to, Instant now) {
      viewer.stage = to;
      recount(viewer, now);
    }

    /** Brings the viewer's contribution to the counts in line with its state (call after every change to it). */
    void recount(Viewer viewer, Instant now) {
      String on = viewer.listed && counts(viewer, now) ? viewer.stage.getId() : null;
      if (Objects.equals(on, viewer.countedOn)) {
        return;
      }
      if (viewer.countedOn != null) {
        counting.computeIfPresent(viewer.countedOn, (id, n) -> n == 1 ? null : n - 1);
      }
      if (on != null) {
        counting.merge(on, 1, Integer::sum);
      } else if (viewer.listed) {
        expired.add(viewer);
      }
      viewer.countedOn = on;
    }

    /** Stops counting the viewers whose pending window has passed by {@code now}. */
    void expire(Instant now) {
      while (!expiries.isEmpty() && !expiries.peek().at().isAfter(now)) {
        recount(expiries.poll().viewer(), now);
      }
    }

    /** Counting viewers per stage id at {@code now}. */
    Map<String, Integer> counting(Instant now) {
      expire(now);
      return counting;
    }

    /** Forgets the viewers that stopped counting (they can no longer open a presence socket). */
    void forgetExpired(Instant now, Map<String, Viewer> viewersById) {
      expire(now);
      for (Viewer viewer : expired) {
        if (viewer.listed && viewer.countedOn == null) {
          viewers.remove(viewer.id);
          viewer.listed = false;
          viewersById.remove(viewer.id);
        }
      }
      expired.clear();
    }

    void clear() {
      viewers.values().forEach(v -> {
        v.listed = false;
        v.countedOn = null;
      });
      viewers.clear();
      counting.clear();
      expiries.clear();
      expired.clear();
    }
  }

  private record Expiry(Instant at, Viewer viewer) {
  }

  /** A placed viewer and its token. */
  record Joined(String viewerId, StageStatus stage, MintedToken token) {
  }

  private record Move(Viewer viewer, StageStatus from, StageStatus to) {
  }

  private final Function<BroadcastKey, Optional<LiveBroadcast>> directory;
  private final TokenIssuer tokens;
  private final Clock clock;
  private final String replicaId;
  private final Duration pendingWindow;
  private final int retryAfterSeconds;
  private final Executor changes;
  private final GatewayMetrics metrics;
  private final Map<BroadcastKey, Book> books = new ConcurrentHashMap<>();
  private final Map<String, Viewer> viewersById = new ConcurrentHashMap<>();

  Audience(BroadcastDirectory directory, TokenIssuer tokens, Clock clock, GatewaySettings settings, Executor changes,
      GatewayMetrics metrics) {
    this(directory::find, tokens, clock, settings, changes, metrics);
  }

  /** With the broadcasts looked up by {@code directory} (tests pass a map's lookup). */
  Audience(Function<BroadcastKey, Optional<LiveBroadcast>> directory, TokenIssuer tokens, Clock clock,
      GatewaySettings settings, Executor changes, GatewayMetrics metrics) {
    this.directory = directory;
    this.tokens = tokens;
    this.clock = clock;
    this.replicaId = settings.replicaId();
    this.pendingWindow = settings.pendingViewerWindow();
    this.retryAfterSeconds = settings.retryAfterSeconds();
    this.changes = changes;
    this.metrics = metrics;
    metrics.audienceGauges(() -> countViewers(true), () -> countViewers(false));
  }

  /** Places a viewer on the fullest Active stage with room and mints its SUBSCRIBE token. */
  Joined join(LiveBroadcast broadcast, String userId) {
    BroadcastKey key = BroadcastKey.of(broadcast);
    Book book = books.computeIfAbsent(key, k -> new Book(pendingWindow));
    Viewer viewer;
    synchronized (book) {
      if (book.ended) {
        throw new ApiError(410, "ended", "the broadcast " + key + " has ended");
      }
      Instant now = clock.instant();
      Decision decision = ViewerPlacement.place(loads(book, broadcast, now),
          broadcast.getSpec().getViewersPerStage(), broadcast.getSpec().getMaxStages());
      if (decision instanceof Placed placed) {
        viewer = new Viewer(newViewerId(), key, userId, stage(broadcast, placed.stageId()), now);
        book.add(viewer, now);
        viewersById.put(viewer.id, viewer);
      } else if (decision instanceof AllFull full) {
        metrics.viewerJoin("full");
        throw new ApiError(503, "full", full.atMaxStages()
            ? "every stage is full and the broadcast is at its limit of " + broadcast.getSpec().getMaxStages()
                + " stages; try again later"
            : "every stage is full; another stage is being added, try again in a few seconds",
            Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
      } else {
        metrics.viewerJoin("no_stage");
        throw new ApiError(409, "no_stage", "the broadcast " + key + " has no stage to watch yet; "
            + "try again when it is live", Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
      }
    }
    try {
      MintedToken token = tokens.subscribe(broadcast, viewer.stage, userId);
      metrics.viewerJoin("placed");
      return new Joined(viewer.id, viewer.stage, token);
    } catch (RuntimeException e) {
      synchronized (book) {
        book.remove(viewer, clock.instant());
        viewersById.remove(viewer.id);
      }
      throw e;
    }
  }

  /** The viewer with this id, if it belongs to the broadcast. */
  Optional<Viewer> viewer(BroadcastKey broadcast, String viewerId) {
    Viewer viewer = viewerId == null ? null : viewersById.get(viewerId);
    return viewer != null && viewer.broadcast.equals(broadcast) ? Optional.of(viewer) : Optional.empty();
  }

  /** The viewer's presence socket opened: it counts as present (a second socket replaces the first). */
  void connected(Viewer viewer, SocketOutbox socket) {
    Book book = books.get(viewer.broadcast);
    if (book == null) {
      socket.offer(SocketMessages.ended(clock.instant()));
      socket.closeAfterSending(SocketOutbox.CLOSE_NORMAL, "the broadcast has ended");
      return;
    }
    SocketOutbox replaced;
    String stageId;
    synchronized (book) {
      replaced = viewer.socket;
      viewer.socket = socket;
      viewer.present = true;
      book.recount(viewer, clock.instant());
      stageId = viewer.stage.getId();
    }
    if (replaced != null && replaced != socket) {
      replaced.closeAfterSending(SocketOutbox.CLOSE_POLICY, "replaced by a newer presence connection");
    }
    // a viewer that arrives on a stage which meanwhile began draining is told to move at once
    boolean onActiveStage = directory.apply(viewer.broadcast).map(b -> stages(b).stream()
        .anyMatch(s -> s.isActive() && stageId.equals(s.getId()))).orElse(false);
    if (!onActiveStage) {
      changes.execute(() -> relocate(viewer.broadcast));
    }
  }

  /** The viewer's presence socket closed: it still counts for the pending window, in case it comes back. */
  void disconnected(Viewer viewer, SocketOutbox socket) {
    Book book = books.get(viewer.broadcast);
    if (book == null) {
      return;
    }
    synchronized (book) {
      if (viewer.socket == socket) {
        viewer.socket = null;
        viewer.present = false;
        viewer.since = clock.instant();
        book.pending(viewer, viewer.since);
      }
    }
  }

  /**
   * Viewers per stage id on this replica (present, or issued a token / dropped within the pending window); forgets
   * viewers whose window has passed.
   */
  Map<String, Integer> counts(BroadcastKey key) {
    Book book = books.get(key);
    if (book == null) {
      return Map.of();
    }
    Instant now = clock.instant();
    synchronized (book) {
      book.forgetExpired(now, viewersById);
      return new TreeMap<>(book.counting(now));
    }
  }

  /** This replica's counting viewers per stage id as placement sees them, without forgetting anyone (for tests). */
  Map<String, Integer> placementCounts(BroadcastKey key) {
    Book book = books.get(key);
    if (book == null) {
      return Map.of();
    }
    synchronized (book) {
      return new TreeMap<>(book.counting(clock.instant()));
    }
  }

  /** The broadcasts this replica has viewers for. */
  Set<BroadcastKey> broadcasts() {
    return Set.copyOf(books.keySet());
  }

  @Override
  public void changed(LiveBroadcast broadcast) {
    BroadcastKey key = BroadcastKey.of(broadcast);
    if (broadcast.getMetadata().getDeletionTimestamp() != null) {
      changes.execute(() -> end(key));
    } else if (books.containsKey(key)) {
      changes.execute(() -> relocate(key));
    }
  }

  @Override
  public void removed(LiveBroadcast lastKnown) {
    BroadcastKey key = BroadcastKey.of(lastKnown);
    changes.execute(() -> end(key));
  }

  /** Retries moves that found no room earlier (runs on the change executor). */
  void relocateAll() {
    books.keySet().forEach(key -> changes.execute(() -> relocate(key)));
  }

  /** Sends a heartbeat on every presence socket. */
  void heartbeat() {
    String beat = SocketMessages.heartbeat(clock.instant());
    for (Book book : books.values()) {
      List<SocketOutbox> sockets;
      synchronized (book) {
        sockets = book.viewers.values().stream().map(v -> v.socket).filter(s -> s != null).toList();
      }
      sockets.forEach(s -> s.offer(beat));
    }
  }

  /** Tells every present viewer of the broadcast that it ended, and forgets them. */
  private void end(BroadcastKey key) {
    Book book = books.remove(key);
    if (book == null) {
      return;
    }
    List<SocketOutbox> sockets = new ArrayList<>();
    synchronized (book) {
      book.ended = true;
      for (Viewer viewer : book.viewers.values()) {
        viewersById.remove(viewer.id);
        if (viewer.socket != null) {
          sockets.add(viewer.socket);
        }
      }
      book.clear();
    }
    String ended = SocketMessages.ended(clock.instant());
    for (SocketOutbox socket : sockets) {
      socket.offer(ended);
      socket.closeAfterSending(SocketOutbox.CLOSE_NORMAL, "the broadcast has ended");
    }
  }

  /** Moves present viewers off stages that are no longer Active, as far as there is room elsewhere. */
  private void relocate(BroadcastKey key) {
    Book book = books.get(key);
    LiveBroadcast broadcast = directory.apply(key).orElse(null);
    if (book == null || broadcast == null || broadcast.getMetadata().getDeletionTimestamp() != null
        || broadcast.getSpec() == null || !broadcast.getSpec().validate().isEmpty()) {
      return;
    }
    Set<String> active = stages(broadcast).stream().filter(StageStatus::isActive).map(StageStatus::getId)
        .collect(Collectors.toSet());
    List<Move> moves = new ArrayList<>();
    synchronized (book) {
      Instant now = clock.instant();
      for (Viewer viewer : book.viewers.values()) {
        if (!viewer.present || viewer.moving || active.contains(viewer.stage.getId())) {
          continue;
        }
        Decision decision = ViewerPlacement.place(loads(book, broadcast, now),
            broadcast.getSpec().getViewersPerStage(), broadcast.getSpec().getMaxStages());
        if (!(decision instanceof Placed placed)) {
          metrics.viewerMove(decision instanceof NoActiveStage ? "no_stage" : "full");
          break;
        }
        Move move = new Move(viewer, viewer.stage, stage(broadcast, placed.stageId()));
        moves.add(move);
        book.move(viewer, move.to(), now);
        viewer.moving = true;
      }
    }
    for (Move move : moves) {
      Viewer viewer = move.viewer();
      boolean told = false;
      try {
        MintedToken token = tokens.subscribe(broadcast, move.to(), viewer.userId);
        SocketOutbox socket;
        synchronized (book) {
          socket = viewer.socket;
        }
        told = socket != null && socket.offer(SocketMessages.message("move",
            SocketMessages.stageData(move.to(), clock.instant(), token)));
      } catch (ApiError e) {
        told = false;
      } finally {
        synchronized (book) {
          viewer.moving = false;
          if (!told) {
            book.move(viewer, move.from(), clock.instant());
          }
        }
        metrics.viewerMove(told ? "moved" : "failed");
      }
    }
  }

  /** Each stage's load: this replica's viewers plus other replicas' fresh reports, or the operator's count if more. */
  private List<StageLoad> loads(Book book, LiveBroadcast broadcast, Instant now) {
    Map<String, Integer> local = book.counting(now);
    Map<String, Integer> others = AudienceReports.freshViewers(broadcast.getStatus(), now, replicaId);
    List<StageLoad> loads = new ArrayList<>();
    for (StageStatus stage : stages(broadcast)) {
      if (stage.getId() == null) {
        continue;
      }
      int reported = local.getOrDefault(stage.getId(), 0) + others.getOrDefault(stage.getId(), 0);
      int observed = stage.getViewers() == null ? 0 : Math.max(0, stage.getViewers());
      loads.add(new StageLoad(stage.getId(), stage.isActive(), Math.max(reported, observed)));
    }
    return loads;
  }

  private int countViewers(boolean present) {
    int n = 0;
    for (Book book : books.values()) {
      synchronized (book) {
        for (Viewer viewer : book.viewers.values()) {
          if (viewer.present == present) {
            n++;
          }
        }
      }
    }
    return n;
  }

  private static List<StageStatus> stages(LiveBroadcast broadcast) {
    return broadcast.getStatus() == null ? List.of() : broadcast.getStatus().stagesOrEmpty();
  }

  private static StageStatus stage(LiveBroadcast broadcast, String stageId) {
    return stages(broadcast).stream().filter(s -> stageId.equals(s.getId())).findFirst()
        .orElseThrow(() -> new IllegalStateException("placement chose unknown stage " + stageId));
  }

  private static String newViewerId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
