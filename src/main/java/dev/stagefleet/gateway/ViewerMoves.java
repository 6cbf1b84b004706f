package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.TokenMinter.MintedToken;
import dev.stagefleet.scaling.ViewerPlacement;
import dev.stagefleet.scaling.ViewerPlacement.Decision;
import dev.stagefleet.scaling.ViewerPlacement.NoActiveStage;
import dev.stagefleet.scaling.ViewerPlacement.Placed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Moves present viewers off stages that are no longer Active, as far as there is room elsewhere: each gets a token
 * for its new stage on its presence socket. A move that found no room (or failed) is retried on this class's own
 * schedule, every {@link #RETRY_INTERVAL}.
 */
final class ViewerMoves {
  /** How often moves that found no room are tried again; a viewer on a draining stage waits at most this long. */
  static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);

  private record Move(Viewer viewer, StageStatus from, StageStatus to) {
  }

  private final Function<BroadcastKey, Optional<LiveBroadcast>> directory;
  private final Function<BroadcastKey, AudienceBook> books;
  private final Supplier<Set<BroadcastKey>> broadcasts;
  private final Seating seating;
  private final TokenIssuer tokens;
  private final Clock clock;
  private final Executor changes;
  private final GatewayMetrics metrics;
  private final Runnable seatsWanted;
  /** A presence pass for a viewer on its new stage, so a reconnect to any replica finds it there. */
  private final java.util.function.BiFunction<Viewer, Instant, String> passes;

  ViewerMoves(Function<BroadcastKey, Optional<LiveBroadcast>> directory, Function<BroadcastKey, AudienceBook> books,
      Supplier<Set<BroadcastKey>> broadcasts, Seating seating, TokenIssuer tokens, Clock clock, Executor changes,
      GatewayMetrics metrics, Runnable seatsWanted, java.util.function.BiFunction<Viewer, Instant, String> passes) {
    this.seatsWanted = seatsWanted;
    this.passes = passes;
    this.directory = directory;
    this.books = books;
    this.broadcasts = broadcasts;
    this.seating = seating;
    this.tokens = tokens;
    this.clock = clock;
    this.changes = changes;
    this.metrics = metrics;
  }

  /** Retries every broadcast's moves on {@code timers}, every {@link #RETRY_INTERVAL}. */
  void schedule(ScheduledExecutorService timers) {
    long every = RETRY_INTERVAL.toMillis();
    timers.scheduleWithFixedDelay(this::retryAll, every, every, TimeUnit.MILLISECONDS);
  }

  /** Queues the moves of every broadcast this replica has viewers for (runs them on the change executor). */
  void retryAll() {
    broadcasts.get().forEach(this::relocateSoon);
  }

  /** Queues the broadcast's moves on the change executor. */
  void relocateSoon(BroadcastKey key) {
    changes.execute(() -> relocate(key));
  }

  /**
   * Moves the broadcast's present viewers off stages that are no longer Active, and off Active stages that hold more
   * than their capacity (this replica moves its viewers beyond its seats there, as far as the stage is over), as far
   * as there is room.
   */
  void relocate(BroadcastKey key) {
    AudienceBook book = books.apply(key);
    LiveBroadcast broadcast = directory.apply(key).orElse(null);
    if (book == null || broadcast == null || broadcast.getMetadata().getDeletionTimestamp() != null
        || broadcast.getSpec() == null || !broadcast.getSpec().validate().isEmpty()) {
      return;
    }
    Set<String> active = Seating.stages(broadcast).stream().filter(StageStatus::isActive).map(StageStatus::getId)
        .collect(Collectors.toSet());
    List<Move> moves = new ArrayList<>();
    boolean lacked = false;
    synchronized (book) {
      Instant now = clock.instant();
      Map<String, Integer> over = overfilled(book, broadcast, now);
      for (Viewer viewer : book.present()) {
        if (!viewer.present() || viewer.moving()) {
          continue;
        }
        String on = viewer.stage().getId();
        if (active.contains(on)) {
          if (over.getOrDefault(on, 0) <= 0) {
            continue;
          }
          over.merge(on, -1, Integer::sum);
        }
        Decision decision = seating.place(book, broadcast, now);
        if (!(decision instanceof Placed placed)) {
          metrics.viewerMove(decision instanceof NoActiveStage ? "no_stage" : "full");
          if (decision instanceof ViewerPlacement.NoSeatHere) {
            book.seatsLacked(now);
            lacked = true;
          }
          break;
        }
        Move move = new Move(viewer, viewer.stage(), Seating.stage(broadcast, placed.stageId()));
        moves.add(move);
        book.startMove(viewer, move.to(), now);
      }
    }
    if (lacked) {
      seatsWanted.run();
    }
    moves.forEach(move -> tell(book, broadcast, move));
  }

  /** Per Active stage over capacity, how many of this replica's viewers beyond its seats there should move. */
  private Map<String, Integer> overfilled(AudienceBook book, LiveBroadcast broadcast, Instant now) {
    int capacity = broadcast.getSpec().getViewersPerStage();
    Map<String, Integer> everyone = seating.everyone(book, broadcast, now);
    Map<String, Integer> mine = book.counting(now);
    Map<String, Integer> seats = book.seats(now);
    Map<String, Integer> over = new HashMap<>();
    for (StageStatus stage : Seating.stages(broadcast)) {
      String id = stage.getId();
      if (id == null || !stage.isActive()) {
        continue;
      }
      int observed = stage.getViewers() == null ? 0 : stage.getViewers();
      int excess = Math.max(everyone.getOrDefault(id, 0), observed) - capacity;
      int beyondSeats = mine.getOrDefault(id, 0) - seats.getOrDefault(id, 0);
      if (excess > 0 && beyondSeats > 0) {
        over.put(id, Math.min(excess, beyondSeats));
      }
    }
    return over;
  }

  private void tell(AudienceBook book, LiveBroadcast broadcast, Move move) {
    Viewer viewer = move.viewer();
    boolean told = false;
    try {
      MintedToken token = tokens.subscribe(broadcast, move.to(), viewer.userId());
      SocketOutbox socket;
      String pass;
      synchronized (book) {
        socket = viewer.socket();
        pass = passes.apply(viewer, token.expiresAt());
      }
      var data = SocketMessages.stageData(move.to(), clock.instant(), token);
      data.put("presenceUrl", viewer.broadcast().apiPath() + "/viewers/" + pass + "/presence");
      told = socket != null && socket.offer(SocketMessages.message("move", data));
    } catch (TokenUnavailable e) {
      told = false;
    } finally {
      synchronized (book) {
        book.endMove(viewer, told ? move.to() : move.from(), clock.instant());
      }
      metrics.viewerMove(told ? "moved" : "failed");
    }
  }
}
