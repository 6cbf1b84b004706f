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
import java.util.regex.Pattern;

/**
 * Viewers this replica holds for a seat while every stage of their broadcast is full and a stage can still be
 * added, in arrival order. A held client is answered with a wait pass (its waitId): a signed claim naming its waiter,
 * this replica and when it arrived, so a client asking again keeps its place and is counted once, on this replica or
 * on any other sharing the claims key, which takes the waiter over and reports it as adopted while this one may still
 * count it. A waiter stops counting when its request ends without a seat and it does not come back in time. Seats are
 * handed out whenever the broadcast changes (a stage became Active) and on a short timer.
 */
final class WaitingRoom implements BroadcastDirectory.Listener {
  /** How long a waiter answered "still waiting" keeps its place for its next request. */
  static final Duration COME_BACK_WITHIN = Duration.ofSeconds(5);
  /** A guess at the wait before any viewer of the broadcast has waited: about one CreateStage plus a report. */
  static final Duration FIRST_GUESS = Duration.ofSeconds(5);
  /**
   * How long a wait pass is good for after its answer: the client asks again at once, so this only has to outlast a
   * slow network; a pass that lapsed is a fresh join, as a place that lapsed is.
   */
  static final Duration PASS_TTL = Duration.ofSeconds(60);
  /** The waitIds handed out before they were signed: a client still holding one joins afresh. */
  private static final Pattern OLD_WAIT_ID = Pattern.compile("w-[A-Za-z0-9_-]{1,64}");

  /** A held join: its waiter, when it arrived, where it stands, and the seat when one is found. */
  record Ticket(String waiterId, Instant arrived, int position, int waiting, Duration expectedWait,
      CompletableFuture<JoinResult> seat) {
  }

  private final Audience audience;
  private final Function<BroadcastKey, Optional<LiveBroadcast>> directory;
  private final Clock clock;
  private final Executor admissions;
  private final GatewayMetrics metrics;
  private final Duration refusalCounts;
  private final GatewayClaims claims;
  private final String replicaId;
  private final Map<BroadcastKey, WaitingLine> lines = new ConcurrentHashMap<>();
  /** Told after every join: the broadcast's demand (placed plus waiting) may have grown. */
  private volatile Runnable demandGrew = () -> { };

  /**
   * @param refusalCounts how long a viewer refused at maxStages still counts as waiting: its Retry-After, so a
   *                      client that retries after it is not counted twice
   */
  WaitingRoom(Audience audience, Function<BroadcastKey, Optional<LiveBroadcast>> directory, GatewayClaims claims,
      String replicaId, Clock clock, Duration refusalCounts, Executor admissions, GatewayMetrics metrics) {
    this.audience = audience;
    this.refusalCounts = refusalCounts;
    this.claims = claims;
    this.replicaId = replicaId;
    this.directory = directory;
    this.clock = clock;
    this.admissions = admissions;
    this.metrics = metrics;
    metrics.waitingGauge(this::waitingEverywhere);
  }

  /**
   * The place a client's {@code waitId} keeps in the broadcast's line: empty without one, for a waitId of the format
   * before wait passes, and for a pass that lapsed (each a fresh join).
   *
   * @throws ApiError 400 for a waitId no replica sharing this key handed out for this broadcast
   */
  Optional<GatewayClaims.WaitPass> place(BroadcastKey key, String waitId) {
    if (waitId == null || OLD_WAIT_ID.matcher(waitId).matches()) {
      return Optional.empty();
    }
    GatewayClaims.WaitPass pass = claims.wait(waitId).filter(p -> p.broadcast().equals(key))
        .orElseThrow(() -> ApiError.badRequest("waitId must be the waitId of an earlier 202 answer for " + key));
    return pass.expired(clock.instant()) ? Optional.empty() : Optional.of(pass);
  }

  /**
   * The waitId answering a held join released for {@code keepFor} (see {@link #released}): a wait pass naming its
   * waiter, this replica, its arrival, and until when this replica counts it, which is how long a replica taking it
   * over reports it as taken over from here.
   */
  String waitId(BroadcastKey key, Ticket ticket, Duration keepFor) {
    Instant now = clock.instant();
    return claims.wait(new GatewayClaims.WaitPass(ticket.waiterId(), key, replicaId, ticket.arrived(),
        now.plus(PASS_TTL), now.plus(keepFor)));
  }

  /** Until when the replica that answered {@code pass} counts its waiter (as it said, within reason). */
  private Instant countedThere(GatewayClaims.WaitPass pass, Instant now) {
    Instant said = pass.countedUntil();
    return said == null || said.isAfter(now.plus(PASS_TTL)) ? now.plus(COME_BACK_WITHIN) : said;
  }

  /**
   * Places the viewer, or holds it when every stage is full and a stage can still be added (and when others wait
   * already, behind them). {@code pass} is the place of an earlier wait of this client (see {@link #place}), or null.
   */
  Admission join(LiveBroadcast broadcast, String userId, GatewayClaims.WaitPass pass) {
    Admission admission = seatOrHold(broadcast, userId, pass);
    demandGrew.run();
    return admission;
  }

  /** What to run after a join placed, held or refused a viewer: the reporter may have demand to report now. */
  void onDemandGrew(Runnable action) {
    this.demandGrew = action;
  }

  private Admission seatOrHold(LiveBroadcast broadcast, String userId, GatewayClaims.WaitPass pass) {
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
      if (result instanceof JoinResult.Placed) {
        seatedAtOnce(key, pass);
      }
      if (result instanceof JoinResult.Full full && full.atMaxStages()) {
        refused(key, userId, pass);
      }
      if (!seatComing(result)) {
        return new Admission(result, null);
      }
    }
    Ticket ticket = hold(key, userId, pass);
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
  private void refused(BroadcastKey key, String userId, GatewayClaims.WaitPass pass) {
    WaitingLine line = lines.computeIfAbsent(key, k -> new WaitingLine());
    synchronized (line) {
      Instant now = clock.instant();
      line.keep(waiter(line, pass, userId, now), now.plus(refusalCounts));
    }
  }

  /**
   * The client of {@code pass} found a seat without queueing: the place it kept here stops counting, and one kept at
   * the replica it came from is taken off there as a waiter taken over.
   */
  private void seatedAtOnce(BroadcastKey key, GatewayClaims.WaitPass pass) {
    boolean fromElsewhere = pass != null && pass.replica() != null && !pass.replica().equals(replicaId);
    WaitingLine line = fromElsewhere ? lines.computeIfAbsent(key, k -> new WaitingLine())
        : pass == null ? null : lines.get(key);
    if (line == null) {
      return;
    }
    synchronized (line) {
      Instant now = clock.instant();
      // a request of the same client still held (it asked twice at once) keeps its waiter until it is answered
      line.find(pass.waiterId()).filter(waiter -> !waiter.holding()).ifPresent(waiter -> {
        if (fromElsewhere) {
          line.depart(waiter, now);
        } else {
          line.remove(waiter);
        }
      });
      if (fromElsewhere) {
        line.adopted(pass.waiterId(), pass.replica(), countedThere(pass, now));
      }
    }
  }

  /** The waiter the pass names (taken over if another replica answered it last), or a newcomer. */
  private WaitingLine.Waiter waiter(WaitingLine line, GatewayClaims.WaitPass pass, String userId, Instant now) {
    boolean fromElsewhere = pass != null && pass.replica() != null && !pass.replica().equals(replicaId);
    if (fromElsewhere) {
      line.adopted(pass.waiterId(), pass.replica(), countedThere(pass, now));
    }
    return line.waiter(pass, fromElsewhere, userId, now);
  }

  /** The held request {@code ticket} ended without a seat: its waiter keeps its place for {@code keepFor}. */
  void released(BroadcastKey key, Ticket ticket, Duration keepFor) {
    WaitingLine line = lines.get(key);
    if (line == null) {
      return;
    }
    synchronized (line) {
      Instant now = clock.instant();
      line.find(ticket.waiterId()).filter(waiter -> line.holds(waiter, ticket.seat()))
          .ifPresent(waiter -> line.keep(waiter, now.plus(keepFor)));
      line.expire(now);
    }
  }

  /** Where {@code waiterId} stands now (1 is next), or 0 when it no longer waits. */
  int position(BroadcastKey key, String waiterId) {
    WaitingLine line = lines.get(key);
    if (line == null) {
      return 0;
    }
    synchronized (line) {
      return line.position(waiterId);
    }
  }

  /**
   * Waiters taken over from other replicas, per replica, while those may still count them: the report says so, and
   * readers take them off that replica's waiting.
   */
  Map<String, Integer> waitingAdopted(BroadcastKey key) {
    WaitingLine line = lines.get(key);
    if (line == null) {
      return Map.of();
    }
    synchronized (line) {
      line.expire(clock.instant());
      return line.adopted();
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

  private Ticket hold(BroadcastKey key, String userId, GatewayClaims.WaitPass pass) {
    WaitingLine line = lines.computeIfAbsent(key, k -> new WaitingLine());
    synchronized (line) {
      Instant now = clock.instant();
      line.expire(now);
      WaitingLine.Waiter waiter = waiter(line, pass, userId, now);
      CompletableFuture<JoinResult> seat = new CompletableFuture<>();
      // the same client asks twice at once: the older request gives up its hold to the newer one
      line.hold(waiter, seat).ifPresent(older -> older.complete(null));
      return new Ticket(waiter.id, waiter.arrived, line.position(waiter.id), line.size(), line.typicalWait(), seat);
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
