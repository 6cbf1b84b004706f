package dev.stagefleet.gateway;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * A round of work run soon after it is asked for and at most once per gap: asks while a round runs, or within the
 * gap after it, are coalesced into one more round once the gap has passed. How the gateway writes audience reports
 * between its ticks (seat claims, urgent demand) without a write per join.
 */
final class PacedRound {
  private final Runnable round;
  private final Duration gap;
  private final BiConsumer<Runnable, Duration> later;
  /** A round is queued, running, or its gap has not passed yet. */
  private final AtomicBoolean busy = new AtomicBoolean();
  /** Asked since the current round began: another round is due after the gap. */
  private final AtomicBoolean asked = new AtomicBoolean();

  /**
   * @param later runs a task after a delay (zero: at once) on another thread; may throw
   *              {@link RejectedExecutionException} once the gateway stops
   */
  PacedRound(Runnable round, Duration gap, BiConsumer<Runnable, Duration> later) {
    this.round = round;
    this.gap = gap;
    this.later = later;
  }

  /** Asks for a round: now if none ran within the gap, else right after the gap. */
  void ask() {
    asked.set(true);
    if (busy.compareAndSet(false, true)) {
      schedule(this::run, Duration.ZERO);
    }
  }

  private void run() {
    // cleared before the round reads anything, so an ask during it is served by the next round
    asked.set(false);
    try {
      round.run();
    } finally {
      schedule(this::gapPassed, gap);
    }
  }

  private void gapPassed() {
    if (asked.get()) {
      run();
      return;
    }
    busy.set(false);
    // an ask between the check and the release found the round busy: serve it
    if (asked.get() && busy.compareAndSet(false, true)) {
      run();
    }
  }

  private void schedule(Runnable task, Duration delay) {
    try {
      later.accept(task, delay);
    } catch (RejectedExecutionException stopping) {
      busy.set(false);
    }
  }
}
