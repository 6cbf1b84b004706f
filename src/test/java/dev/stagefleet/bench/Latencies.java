package dev.stagefleet.bench;

import java.time.Duration;
import java.util.Arrays;

/** A set of latency samples in nanoseconds, with the percentiles a benchmark reports. */
public record Latencies(long[] sortedNanos) {

  /** The samples, copied and sorted. */
  public static Latencies of(long[] nanos, int count) {
    long[] copy = Arrays.copyOf(nanos, count);
    Arrays.sort(copy);
    return new Latencies(copy);
  }

  public int count() {
    return sortedNanos.length;
  }

  /** The p-th percentile (0..100) by the nearest-rank method; zero without samples. */
  public Duration percentile(double p) {
    if (sortedNanos.length == 0) {
      return Duration.ZERO;
    }
    int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
    int index = Math.min(sortedNanos.length - 1, Math.max(0, rank - 1));
    return Duration.ofNanos(sortedNanos[index]);
  }

  public Duration median() {
    return percentile(50);
  }

  public Duration p99() {
    return percentile(99);
  }

  public Duration max() {
    return sortedNanos.length == 0 ? Duration.ZERO : Duration.ofNanos(sortedNanos[sortedNanos.length - 1]);
  }

  /** Milliseconds with fractions, as tables show latencies. */
  public static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }
}
