package dev.stagefleet.emulator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * IVS's per-operation rate quotas as token buckets: capacity = one second's burst, but never less than one call (a
 * bucket that cannot hold a whole token would refuse every call), refilled continuously at the rate.
 */
final class RateQuotaBuckets {
  private final EmulatorQuotas quotas;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  RateQuotaBuckets(EmulatorQuotas quotas, LongSupplier nanoTime) {
    this.quotas = quotas;
    this.nanoTime = nanoTime;
  }

  /** Takes one call's token for the operation; false when the operation is over its rate quota. */
  boolean tryAcquire(String operation) {
    double rate = quotas.rate(operation);
    Bucket bucket = buckets.compute(operation,
        (op, existing) -> existing == null || existing.rate != rate ? new Bucket(rate, nanoTime.getAsLong()) : existing);
    return bucket.tryAcquire(nanoTime.getAsLong());
  }

  /** Refills every bucket. */
  void reset() {
    buckets.clear();
  }

  private static final class Bucket {
    private final double rate;
    private final double capacity;
    private double tokens;
    private long lastRefill;

    Bucket(double rate, long now) {
      this.rate = rate;
      this.capacity = Math.max(1, rate);
      this.tokens = capacity;
      this.lastRefill = now;
    }

    synchronized boolean tryAcquire(long now) {
      tokens = Math.min(capacity, tokens + (now - lastRefill) * rate / 1e9);
      lastRefill = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
