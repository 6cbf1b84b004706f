package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.TokenMinter.MintedToken;
import dev.stagefleet.scaling.ViewerPlacement.Decision;
import dev.stagefleet.scaling.ViewerPlacement.NoActiveStage;
import dev.stagefleet.scaling.ViewerPlacement.Placed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

  ViewerMoves(Function<BroadcastKey, Optional<LiveBroadcast>> directory, Function<BroadcastKey, AudienceBook> books,
      Supplier<Set<BroadcastKey>> broadcasts, Seating seating, TokenIssuer tokens, Clock clock, Executor changes,
      GatewayMetrics metrics) {
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

  /** Moves the broadcast's present viewers off stages that are no longer Active, as far as there is room. */
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
    synchronized (book) {
      Instant now = clock.instant();
      for (Viewer viewer : book.viewers()) {
        if (!viewer.present() || viewer.moving() || active.contains(viewer.stage().getId())) {
          continue;
        }
        Decision decision = seating.place(book, broadcast, now);
        if (!(decision instanceof Placed placed)) {
          metrics.viewerMove(decision instanceof NoActiveStage ? "no_stage" : "full");
          break;
        }
        Move move = new Move(viewer, viewer.stage(), Seating.stage(broadcast, placed.stageId()));
        moves.add(move);
        book.startMove(viewer, move.to(), now);
      }
    }
    moves.forEach(move -> tell(book, broadcast, move));
  }

  private void tell(AudienceBook book, LiveBroadcast broadcast, Move move) {
    Viewer viewer = move.viewer();
    boolean told = false;
    try {
      MintedToken token = tokens.subscribe(broadcast, move.to(), viewer.userId());
      SocketOutbox socket;
      synchronized (book) {
        socket = viewer.socket();
      }
      told = socket != null && socket.offer(SocketMessages.message("move",
          SocketMessages.stageData(move.to(), clock.instant(), token)));
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
