package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Viewers this replica holds for a seat while every stage of their broadcast is full and a stage can still be
 * added, in arrival order. Each waiter has an id the client keeps, so a client asking again keeps its place and is
 * counted once; a waiter stops counting when its request ends without a seat and it does not come back in time.
 * Seats are handed out whenever the broadcast changes (a stage became Active) and on a short timer.
 */
final class WaitingRoom implements BroadcastDirectory.Listener {
  /** How long a waiter answered "still waiting" keeps its place for its next request. */
  static final Duration COME_BACK_WITHIN = Duration.ofSeconds(5);
  /** A guess at the wait before any viewer of the broadcast has waited: about one CreateStage plus a report. */
  static final Duration FIRST_GUESS = Duration.ofSeconds(5);

  /** A held join: its wait id, where it stands, and the seat when one is found. */
  record Ticket(String waitId, int position, int waiting, Duration expectedWait, CompletableFuture<JoinResult> seat) {
  }

  private final Audience audience;
  private final Function<BroadcastKey, Optional<LiveBroadcast>> directory;
  private final Clock clock;
  private final Executor admissions;
  private final GatewayMetrics metrics;
  private final Duration refusalCounts;
  private final Map<BroadcastKey, WaitingLine> lines = new ConcurrentHashMap<>();
  /** Told after every join: the broadcast's demand (placed plus waiting) may have grown. */
  private volatile Runnable demandGrew = () -> { };

  /**
   * @param refusalCounts how long a viewer refused at maxStages still counts as waiting: its Retry-After, so a
   *                      client that retries after it is not counted twice
   */
  WaitingRoom(Audience audience, Function<BroadcastKey, Optional<LiveBroadcast>> directory, Clock clock,
      Duration refusalCounts, Executor admissions, GatewayMetrics metrics) {
    this.audience = audience;
    this.refusalCounts = refusalCounts;
    this.directory = directory;
    this.clock = clock;
    this.admissions = admissions;
    this.metrics = metrics;
    metrics.waitingGauge(this::waitingEverywhere);
  }

  /**
   * Places the viewer, or holds it when every stage is full and a stage can still be added (and when others wait
   * already, behind them). {@code waitId} is the id of an earlier wait of this client, to keep its place.
   */
  Admission join(LiveBroadcast broadcast, String userId, String waitId) {
    Admission admission = seatOrHold(broadcast, userId, waitId);
    demandGrew.run();
    return admission;
  }

  /** What to run after a join placed, held or refused a viewer: the reporter may have demand to report now. */
  void onDemandGrew(Runnable action) {
    this.demandGrew = action;
  }

  private Admission seatOrHold(LiveBroadcast broadcast, String userId, String waitId) {
    BroadcastKey key = BroadcastKey.of(broadcast);
    WaitingLine line = lines.get(key);
    boolean queueing;
    if (line == null) {
      queueing = false;
    } else {
      synchronized (line) {
        line.expire(clock.instant());
        queueing = line.holding();
      }
    }
    if (!queueing) {
      JoinResult result = audience.join(broadcast, userId);
      if (result instanceof JoinResult.Full full && full.atMaxStages()) {
        refused(key, userId, waitId);
      }
      if (!seatComing(result)) {
        return new Admission(result, null);
      }
    }
    Ticket ticket = hold(key, userId, waitId);
    admitSoon(key);
    return new Admission(null, ticket);
  }

  /** A join's answer now, or a ticket for a held join. */
  record Admission(JoinResult now, Ticket held) {
  }

  @Override
  public void changed(LiveBroadcast broadcast) {
    admitSoon(BroadcastKey.of(broadcast));
  }

  @Override
  public void removed(LiveBroadcast lastKnown) {
    admitSoon(BroadcastKey.of(lastKnown));
  }

  /** A viewer refused at maxStages: the demand the operator cannot meet still counts, for {@link #refusalCounts}. */
  private void refused(BroadcastKey key, String userId, String waitId) {
    WaitingLine line = lines.computeIfAbsent(key, k -> new WaitingLine());
    synchronized (line) {
      Instant now = clock.instant();
      line.keep(line.waiter(waitId, userId, now), now.plus(refusalCounts));
    }
  }

  /** The held request {@code ticket} ended without a seat: its waiter keeps its place for {@code keepFor}. */
  void released(BroadcastKey key, Ticket ticket, Duration keepFor) {
    WaitingLine line = lines.get(key);
    if (line == null) {
      return;
    }
    synchronized (line) {
      Instant now = clock.instant();
      line.find(ticket.waitId()).filter(waiter -> line.holds(waiter, ticket.seat()))
          .ifPresent(waiter -> line.keep(waiter, now.plus(keepFor)));
      line.expire(now);
    }
  }

  /** Where {@code waitId} stands now (1 is next), or 0 when it no longer waits. */
  int position(BroadcastKey key, String waitId) {
    WaitingLine line = lines.get(key);
    if (line == null) {
      return 0;
    }
    synchronized (line) {
      return line.position(waitId);
    }
  }

  /** Viewers this replica holds for the broadcast now (what its audience report says). */
  int waiting(BroadcastKey key) {
    WaitingLine line = lines.get(key);
    if (line == null) {
      return 0;
    }
    synchronized (line) {
      line.expire(clock.instant());
      return line.size();
    }
  }

  /** The broadcasts with viewers waiting. */
  Set<BroadcastKey> broadcasts() {
    return Set.copyOf(lines.keySet());
  }

  /** Hands out seats for every broadcast with waiters (on the admission executor). */
  void admitAll() {
    lines.keySet().forEach(this::admitSoon);
  }

  /** Hands out the broadcast's free seats to its waiters, first come first served. */
  void admitSoon(BroadcastKey key) {
    WaitingLine line = lines.get(key);
    if (line != null && line.queueAdmission()) {
      admissions.execute(() -> {
        line.admissionStarted();
        admit(key);
      });
    }
  }

  private Ticket hold(BroadcastKey key, String userId, String waitId) {
    WaitingLine line = lines.computeIfAbsent(key, k -> new WaitingLine());
    synchronized (line) {
      Instant now = clock.instant();
      line.expire(now);
      WaitingLine.Waiter waiter = line.waiter(waitId, userId, now);
      CompletableFuture<JoinResult> seat = new CompletableFuture<>();
      // the same client asks twice at once: the older request gives up its hold to the newer one
      line.hold(waiter, seat).ifPresent(older -> older.complete(null));
      return new Ticket(waiter.id, line.position(waiter.id), line.size(), line.typicalWait(), seat);
    }
  }

  private void admit(BroadcastKey key) {
    WaitingLine line = lines.get(key);
    LiveBroadcast broadcast = directory.apply(key).orElse(null);
    if (line == null) {
      return;
    }
    if (broadcast == null || broadcast.getMetadata().getDeletionTimestamp() != null) {
      endAll(key, line);
      return;
    }
    boolean fannedOut = false;
    while (true) {
      WaitingLine.Waiter next;
      synchronized (line) {
        line.expire(clock.instant());
        next = line.claimNext().orElse(null);
        if (next == null) {
          if (line.isEmpty()) {
            lines.remove(key, line);
          }
          return;
        }
      }
      JoinResult result;
      try {
        result = audience.join(broadcast, next.userId);
      } catch (RuntimeException e) {
        // no token for this one (IVS or the key unavailable): its held request answers with that error, as a join
        // answered at once would
        leave(line, next).ifPresent(f -> f.completeExceptionally(e));
        continue;
      }
      if (result instanceof JoinResult.Placed) {
        Duration waited = Duration.between(next.arrived, clock.instant());
        metrics.viewerWaited(waited);
        synchronized (line) {
          line.waited(waited);
        }
        // a request that gave up in this instant leaves an unused token: it stops counting after the pending window
        leave(line, next).ifPresent(f -> f.complete(result));
        if (!fannedOut) {
          // seats are free: another round on another admission thread seats the next waiters alongside this one
          fannedOut = true;
          admitSoon(key);
        }
        continue;
      }
      synchronized (line) {
        line.unclaim(next);
      }
      if (!seatComing(result)) {
        // ended, no stage, or maxStages reached meanwhile: every held request gets that answer
        endAll(result, line);
      }
      return; // still full, or the seats are another replica's: the next change or tick tries again
    }
  }

  /** Takes the waiter out of the line; its held request, if it still has one. */
  private Optional<CompletableFuture<JoinResult>> leave(WaitingLine line, WaitingLine.Waiter waiter) {
    synchronized (line) {
      return line.remove(waiter);
    }
  }

  private void endAll(BroadcastKey key, WaitingLine line) {
    lines.remove(key, line);
    endAll(new JoinResult.Ended(), line);
  }

  /** Every held request gets {@code result}; refused at maxStages, they still count for a while. */
  private void endAll(JoinResult result, WaitingLine line) {
    List<CompletableFuture<JoinResult>> held;
    synchronized (line) {
      held = line.releaseAll(result instanceof JoinResult.Full ? clock.instant().plus(refusalCounts) : null);
    }
    held.forEach(f -> f.complete(result));
  }

  /** Whether a seat can be expected: a stage is being added, or this replica is claiming seats another gives up. */
  private static boolean seatComing(JoinResult result) {
    return result instanceof JoinResult.NoSeatHere || result instanceof JoinResult.Full full && !full.atMaxStages();
  }

  private int waitingEverywhere() {
    return lines.keySet().stream().mapToInt(this::waiting).sum();
  }
}
