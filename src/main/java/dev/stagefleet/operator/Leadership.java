package dev.stagefleet.operator;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether this replica may act (call IVS to change stages, write status): always without leader election, and with
 * it only while it holds the Lease. A lost Lease is final: another replica may already be reconciling, so nothing
 * this process started may go on, and it never acts again.
 */
final class Leadership {
  private enum State { STANDBY, LEADING, LOST }

  private final AtomicReference<State> state;

  private Leadership(State initial) {
    this.state = new AtomicReference<>(initial);
  }

  /** A replica without leader election: it always acts. */
  static Leadership unelected() {
    return new Leadership(State.LEADING);
  }

  /** A candidate: it acts once it acquired the Lease. */
  static Leadership candidate() {
    return new Leadership(State.STANDBY);
  }

  /** The Lease was acquired (ignored once it was lost). */
  void acquired() {
    state.compareAndSet(State.STANDBY, State.LEADING);
  }

  /** The Lease was lost; returns true the first time only. */
  boolean lose() {
    return state.getAndSet(State.LOST) != State.LOST;
  }

  boolean holds() {
    return state.get() == State.LEADING;
  }

  boolean lost() {
    return state.get() == State.LOST;
  }

  /**
   * Ends the current step when this replica may no longer act.
   *
   * @throws Lost the Lease is not held
   */
  void check() {
    if (!holds()) {
      throw new Lost();
    }
  }

  /** Thrown into a step that was running when the Lease was lost, so it stops before its next action. */
  static final class Lost extends RuntimeException {
    Lost() {
      super("this replica no longer holds the leader Lease", null, false, false);
    }
  }
}
