package dev.stagefleet.operator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket over the injected clock: at most {@code perSecond} permits a second on average, bursts up to one
 * second's worth. Callers that get no permit skip the call instead of waiting.
 */
public final class CallBudget {
  private final Clock clock;
  private final double perSecond;
  private final double capacity;
  private double tokens;
  private Instant last;

  public CallBudget(Clock clock, double perSecond) {
    this.clock = clock;
    this.perSecond = perSecond;
    this.capacity = Math.max(1, perSecond);
    this.tokens = perSecond > 0 ? capacity : 0;
  }

  /** Takes a permit when one is available. */
  public synchronized boolean tryAcquire() {
    if (perSecond <= 0) {
      return false;
    }
    Instant now = clock.instant();
    if (last != null) {
      double elapsed = Math.max(0, Duration.between(last, now).toNanos() / 1e9);
      tokens = Math.min(capacity, tokens + elapsed * perSecond);
    }
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
