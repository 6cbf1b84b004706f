package dev.stagefleet.ivs;

import java.time.Duration;
import java.util.Objects;

/**
 * How IVS calls are retried on throttling (429), 5xx and connection failures: jittered exponential backoff.
 *
 * @param maxAttempts attempts in all, the first one included (1 = no retries)
 * @param initialBackoff the wait before the first retry; each next wait doubles
 * @param maxBackoff the longest single wait
 * @param jitter randomization factor 0..1: a wait of w is drawn from [w(1-jitter), w(1+jitter)]
 */
public record IvsRetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {

  public IvsRetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoff must be positive and maxBackoff >= initialBackoff");
    }
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1), got " + jitter);
    }
  }

  /** 6 attempts, waits from 200 ms doubling up to 10 s, jitter 0.5 (about 6 s of retrying in all). */
  public static IvsRetryPolicy defaults() {
    return new IvsRetryPolicy(6, Duration.ofMillis(200), Duration.ofSeconds(10), 0.5);
  }

  /** A single attempt, for callers that retry themselves. */
  public static IvsRetryPolicy none() {
    return new IvsRetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), 0);
  }
}
