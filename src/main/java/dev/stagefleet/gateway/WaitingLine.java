package dev.stagefleet.gateway;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One broadcast's waiters in the {@link WaitingRoom}, in arrival order, and how long its recent waiters waited. Its
 * monitor guards it and its waiters: every method but {@link #queueAdmission} must be called holding it.
 *
 * <p>A storm puts thousands of viewers in one line and every one of them asks again every few seconds, so no
 * operation walks the line: the held requests are kept by arrival number, the waiters between requests by when they
 * stop counting, and a viewer's position is a prefix count over arrival numbers (a Fenwick tree), each O(log n).
 *
 * <p>A waiter that came with another replica's wait pass is taken over here, at its place by the time it first
 * arrived: newcomers' arrival numbers are {@link #GAP} apart, and a waiter from elsewhere takes a free number between
 * the newcomers that arrived just before and after it (the end of the line when that gap is full). It is remembered
 * as adopted from that replica while that replica may still count it, so the reports count it once. A waiter that
 * comes back from another replica while its place here is still kept gets a new entry: the old one keeps counting
 * until its keep ends, as the replica it went to reports it taken over from here (so the two cancel).
 */
final class WaitingLine {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Arrival numbers between two newcomers, for waiters from other replicas that arrived between them, plus one. */
  static final int GAP = 4;

  /** A viewer waiting; its state changes only through its line. */
  static final class Waiter {
    final String id;
    final String userId;
    final Instant arrived;
    /** Its place in the line: arrival order, kept across the client's requests. */
    private final int arrival;
    /** The request holding this waiter, or null between requests. */
    private CompletableFuture<JoinResult> held;
    /** When a waiter between requests stops counting. */
    private Instant keptUntil;
    /** Whether an admission round is trying to seat it now (it is then out of the held order). */
    private boolean claimed;

    private Waiter(String id, String userId, Instant arrived, int arrival) {
      this.id = id;
      this.userId = userId;
      this.arrived = arrived;
      this.arrival = arrival;
    }

    boolean holding() {
      return held != null && !held.isDone();
    }
  }

  /** A waiter between requests, and when it stops counting unless it comes back. */
  private record Expiry(Instant at, Waiter waiter) {
  }

  /**
   * A waiter taken over from replica {@code from}, which counts it until {@code until}: one per entry of the waiter
   * there (a waiter that went round the replicas may have two), the same however often the same pass comes.
   */
  private record Adoption(String waiterId, String from, Instant until) {
  }

  private final Map<String, Waiter> waiters = new HashMap<>();
  private final Set<Adoption> adoptions = new HashSet<>();
  /** The adoptions by when they end, soonest first. */
  private final PriorityQueue<Adoption> adoptionEnds = new PriorityQueue<>(Comparator.comparing(Adoption::until));
  /** How many live adoptions name each replica. */
  private final Map<String, Integer> adoptedFrom = new TreeMap<>();
  /** Until when each waiter that left for another replica still counts here (see {@link #depart}). */
  private final PriorityQueue<Instant> departed = new PriorityQueue<>();
  /** The waiters with a held request, by arrival. */
  private final TreeMap<Integer, Waiter> held = new TreeMap<>();
  /** The waiters between requests, soonest to stop counting first; stale entries are skipped. */
  private final PriorityQueue<Expiry> expiries = new PriorityQueue<>(Comparator.comparing(Expiry::at));
  /** Which arrival numbers are still in line, for positions. */
  private final ArrivalCounts arrivals = new ArrivalCounts();
  private int lastArrival;
  /** The arrival number given last for each arrival time at the end of the line (both only grow), from the front. */
  private final TreeMap<Instant, Integer> placedAt = new TreeMap<>();
  private Duration typicalWait = WaitingRoom.FIRST_GUESS;
  /** Whether an admission round is queued already: a storm of asks queues one round, not one per ask. */
  private final AtomicBoolean admissionQueued = new AtomicBoolean();

  /** Forgets the waiters between requests that did not come back in time, and adoptions whose replica forgot them. */
  void expire(Instant now) {
    while (!adoptionEnds.isEmpty() && !adoptionEnds.peek().until().isAfter(now)) {
      Adoption ended = adoptionEnds.poll();
      adoptions.remove(ended);
      adoptedFrom.computeIfPresent(ended.from(), (from, n) -> n > 1 ? n - 1 : null);
    }
    while (!expiries.isEmpty() && !expiries.peek().at().isAfter(now)) {
      Expiry expiry = expiries.poll();
      Waiter waiter = expiry.waiter();
      if (waiter.held == null && expiry.at().equals(waiter.keptUntil)) {
        remove(waiter);
      }
    }
    while (!departed.isEmpty() && !departed.peek().isAfter(now)) {
      departed.poll();
    }
    // newcomers gone from the front of the line mark no one's place any more: a long storm keeps this map short
    while (!placedAt.isEmpty() && !arrivals.present(placedAt.firstEntry().getValue())) {
      placedAt.pollFirstEntry();
    }
  }

  /**
   * The waiter {@code pass} names, or a new one at its arrival's place: with a pass, the viewer it was when it
   * arrived (at another replica, or here before its place lapsed); without, a newcomer arriving {@code now}.
   * {@code fromElsewhere}: another replica answered the pass, so an entry still kept here {@link #depart}s first.
   */
  Waiter waiter(GatewayClaims.WaitPass pass, boolean fromElsewhere, String userId, Instant now) {
    Waiter waiter = pass == null ? null : waiters.get(pass.waiterId());
    if (waiter != null && fromElsewhere && !waiter.holding()) {
      depart(waiter, now);
      waiter = null;
    }
    if (waiter == null) {
      // a pass from a replica whose clock runs ahead is taken as arriving now
      Instant arrived = pass == null || pass.arrived().isAfter(now) ? now : pass.arrived();
      waiter = new Waiter(pass == null ? newWaiterId() : pass.waiterId(), userId, arrived, arrivalFor(arrived));
      waiters.put(waiter.id, waiter);
      arrivals.add(waiter.arrival, 1);
    }
    return waiter;
  }

  /** The arrival number of a viewer that arrived at {@code arrived}: behind everyone here who arrived before it. */
  private int arrivalFor(Instant arrived) {
    Map.Entry<Instant, Integer> last = placedAt.lastEntry();
    if (last == null || !arrived.isBefore(last.getKey())) {
      lastArrival += GAP;
      placedAt.put(arrived, lastArrival);
      return lastArrival;
    }
    Map.Entry<Instant, Integer> before = placedAt.lowerEntry(arrived);
    int after = before == null ? 0 : before.getValue();
    for (int arrival = after + 1; arrival < after + GAP; arrival++) {
      if (!arrivals.present(arrival)) {
        return arrival;
      }
    }
    // as many came from elsewhere between the same two newcomers as there are numbers: this one queues at the end
    lastArrival += GAP;
    return lastArrival;
  }

  Optional<Waiter> find(String waiterId) {
    return Optional.ofNullable(waiters.get(waiterId));
  }

  /** The waiter was taken over from replica {@code from}, which counts it until {@code until}. */
  void adopted(String waiterId, String from, Instant until) {
    Adoption adoption = new Adoption(waiterId, from, until);
    if (adoptions.add(adoption)) {
      adoptionEnds.add(adoption);
      adoptedFrom.merge(from, 1, Integer::sum);
    }
  }

  /** Waiters taken over per replica they came from, while that replica may still count them. */
  Map<String, Integer> adopted() {
    return Map.copyOf(adoptedFrom);
  }

  /**
   * Holds the waiter's new request; returns the request it held before (the same client asking twice at once), which
   * the caller answers without a seat.
   */
  Optional<CompletableFuture<JoinResult>> hold(Waiter waiter, CompletableFuture<JoinResult> request) {
    CompletableFuture<JoinResult> before = waiter.held;
    waiter.held = request;
    waiter.keptUntil = null;
    if (!waiter.claimed) {
      held.put(waiter.arrival, waiter);
    }
    return Optional.ofNullable(before);
  }

  /** The waiter's request ended without a seat: it keeps its place until {@code keptUntil}. */
  void keep(Waiter waiter, Instant keptUntil) {
    if (waiter.held != null) {
      waiter.held = null;
      held.remove(waiter.arrival);
    }
    waiter.keptUntil = keptUntil;
    expiries.add(new Expiry(keptUntil, waiter));
  }

  /** Whether {@code request} is the one the waiter holds now. */
  boolean holds(Waiter waiter, CompletableFuture<JoinResult> request) {
    return waiter.held == request;
  }

  /**
   * The waiter left for another replica, which reports it taken over from here: it leaves the line but still counts
   * until its keep ends, so the two cancel in the sum rather than the other replica's report cancelling a waiter
   * this line still holds.
   */
  void depart(Waiter waiter, Instant now) {
    Instant until = waiter.keptUntil;
    if (remove(waiter).isEmpty() && until != null && until.isAfter(now)) {
      departed.add(until);
    }
  }

  /** Takes the waiter out of the line; its held request, if it still has one. */
  Optional<CompletableFuture<JoinResult>> remove(Waiter waiter) {
    if (!waiters.remove(waiter.id, waiter)) {
      return Optional.empty();
    }
    arrivals.add(waiter.arrival, -1);
    waiter.claimed = false;
    CompletableFuture<JoinResult> request = waiter.held;
    if (request != null) {
      held.remove(waiter.arrival);
      waiter.held = null;
    }
    return request == null || request.isDone() ? Optional.empty() : Optional.of(request);
  }

  /** Whether a request is held in this line now. */
  boolean holding() {
    return held.values().stream().anyMatch(Waiter::holding);
  }

  /** The first waiter whose request is held, if any. */
  Optional<Waiter> nextHeld() {
    return held.values().stream().filter(Waiter::holding).findFirst();
  }

  /**
   * Takes the first waiter whose request is held out of the held order, for one admission round to seat: rounds
   * running at once never try the same waiter. The round gives it back with {@link #unclaim} when it found no seat.
   */
  Optional<Waiter> claimNext() {
    Optional<Waiter> next = nextHeld();
    next.ifPresent(waiter -> {
      held.remove(waiter.arrival);
      waiter.claimed = true;
    });
    return next;
  }

  /** The round that claimed the waiter found no seat: it is back in its place, if it still holds a request. */
  void unclaim(Waiter waiter) {
    waiter.claimed = false;
    if (waiter.held != null && waiters.get(waiter.id) == waiter) {
      held.put(waiter.arrival, waiter);
    }
  }

  /**
   * Every held request leaves its waiter: refused ones keep their place until {@code keptUntil} (null: they leave the
   * line). Returns the requests, for the caller to answer outside the lock.
   */
  List<CompletableFuture<JoinResult>> releaseAll(Instant keptUntil) {
    List<CompletableFuture<JoinResult>> requests = new ArrayList<>();
    for (Waiter waiter : List.copyOf(held.values())) {
      requests.add(waiter.held);
      if (keptUntil == null) {
        remove(waiter);
      } else {
        keep(waiter, keptUntil);
      }
    }
    return requests;
  }

  /** Where {@code waiterId} stands (1 is next), or 0 when it is not in line. */
  int position(String waiterId) {
    Waiter waiter = waiters.get(waiterId);
    return waiter == null ? 0 : arrivals.upTo(waiter.arrival);
  }

  /** The waiters this line counts: those in it, and those that left for another replica but still count. */
  int size() {
    return waiters.size() + departed.size();
  }

  /** Whether it holds no waiter and remembers no adoption or departure (that the report must still say). */
  boolean isEmpty() {
    return waiters.isEmpty() && adoptions.isEmpty() && departed.isEmpty();
  }

  Duration typicalWait() {
    return typicalWait;
  }

  /** A seat was found after {@code waited}: the guess for the next waiters moves halfway towards it. */
  void waited(Duration waited) {
    typicalWait = typicalWait.plus(waited).dividedBy(2);
  }

  /** Queues {@code round} unless a round is queued already; the round must call {@link #admissionStarted}. */
  boolean queueAdmission() {
    return admissionQueued.compareAndSet(false, true);
  }

  void admissionStarted() {
    admissionQueued.set(false);
  }

  private static String newWaiterId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "w-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Which arrival numbers are in line, with prefix counts in O(log n): a Fenwick tree that doubles as arrivals grow. */
  static final class ArrivalCounts {
    private int[] present = new int[64];
    private int[] tree = new int[64];

    boolean present(int arrival) {
      return arrival < present.length && present[arrival] > 0;
    }

    void add(int arrival, int delta) {
      if (arrival >= tree.length) {
        grow(arrival);
      }
      present[arrival] += delta;
      for (int i = arrival; i < tree.length; i += i & -i) {
        tree[i] += delta;
      }
    }

    /** How many arrivals numbered 1..{@code arrival} are in line. */
    int upTo(int arrival) {
      int sum = 0;
      for (int i = Math.min(arrival, tree.length - 1); i > 0; i -= i & -i) {
        sum += tree[i];
      }
      return sum;
    }

    /** Doubles the capacity past {@code arrival} and rebuilds the tree from the counts, in linear time. */
    private void grow(int arrival) {
      int capacity = tree.length;
      while (capacity <= arrival) {
        capacity *= 2;
      }
      present = java.util.Arrays.copyOf(present, capacity);
      tree = new int[capacity];
      for (int i = 1; i < capacity; i++) {
        tree[i] += present[i];
        int parent = i + (i & -i);
        if (parent < capacity) {
          tree[parent] += tree[i];
        }
      }
    }
  }
}
