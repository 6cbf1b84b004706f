package dev.stagefleet.gateway;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One broadcast's waiters in the {@link WaitingRoom}, in arrival order, and how long its recent waiters waited. Its
 * monitor guards it and its waiters: every method but {@link #queueAdmission} must be called holding it.
 */
final class WaitingLine {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A viewer waiting; guarded by its line. */
  static final class Waiter {
    final String id;
    final String userId;
    final Instant arrived;
    /** The request holding this waiter, or null between requests. */
    CompletableFuture<JoinResult> held;
    /** When a waiter between requests stops counting. */
    Instant keptUntil;

    Waiter(String id, String userId, Instant arrived) {
      this.id = id;
      this.userId = userId;
      this.arrived = arrived;
    }

    boolean holding() {
      return held != null && !held.isDone();
    }
  }

  final LinkedHashMap<String, Waiter> waiters = new LinkedHashMap<>();
  Duration typicalWait = WaitingRoom.FIRST_GUESS;
  /** Whether an admission round is queued already: a storm of asks queues one round, not one per ask. */
  private final AtomicBoolean admissionQueued = new AtomicBoolean();

  /** Forgets the waiters between requests that did not come back in time. */
  void expire(Instant now) {
    waiters.values().removeIf(w -> w.held == null && (w.keptUntil == null || !w.keptUntil.isAfter(now)));
  }

  /** The waiter with {@code waitId}, or a new one at the end of the line. */
  Waiter waiter(String waitId, String userId, Instant now) {
    Waiter waiter = waitId == null ? null : waiters.get(waitId);
    if (waiter == null) {
      waiter = new Waiter(newWaitId(), userId, now);
      waiters.put(waiter.id, waiter);
    }
    return waiter;
  }

  /** Whether a request is held in this line now. */
  boolean holding() {
    return waiters.values().stream().anyMatch(Waiter::holding);
  }

  /** The first waiter whose request is held, if any. */
  Optional<Waiter> nextHeld() {
    return waiters.values().stream().filter(Waiter::holding).findFirst();
  }

  /** Where {@code waitId} stands (1 is next), or 0 when it is not in line. */
  int position(String waitId) {
    int i = 1;
    for (String id : waiters.keySet()) {
      if (id.equals(waitId)) {
        return i;
      }
      i++;
    }
    return 0;
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

  private static String newWaitId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "w-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
