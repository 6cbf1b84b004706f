package dev.stagefleet.bench;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling for a condition during a benchmark run; a measured wait ends at the poll that first saw the condition. */
final class Waits {
  private Waits() {
  }

  /**
   * Polls {@code condition} every {@code every} until it holds; returns {@link System#nanoTime()} of the poll that saw
   * it hold.
   *
   * @throws IllegalStateException when it does not hold within {@code timeout}, naming {@code what}
   */
  static long until(Duration timeout, Duration every, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return System.nanoTime();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " did not happen within " + timeout.toSeconds() + " s");
      }
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting until " + what);
      }
    }
  }
}
