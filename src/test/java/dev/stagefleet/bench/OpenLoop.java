package dev.stagefleet.bench;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Fixed-rate, open-loop load: call {@code i} is due at {@code start + i / rate}, whatever happened to earlier ones,
 * and its latency is measured from that intended time (so a slow server cannot slow the arrivals down and hide its
 * own queueing, the "coordinated omission" of closed-loop clients). At most {@code maxInFlight} calls are
 * outstanding; past that a call waits, and the wait counts into its latency.
 *
 * <p>Offered above the server's capacity, a run measures saturation throughput (completions inside the window);
 * offered below it, the latency figures describe the server at that rate. {@link HttpLoad} does the same for HTTP
 * over plain keep-alive sockets.
 */
public final class OpenLoop {
  static final int NOT_SENT = Integer.MIN_VALUE;

  private OpenLoop() {
  }

  /**
   * What to offer.
   *
   * @param ratePerSecond arrivals per second
   * @param duration      how long to send; requests not yet sent when it ends are not sent
   * @param maxInFlight   outstanding requests at most
   */
  public record Plan(double ratePerSecond, Duration duration, int maxInFlight) {
    public Plan {
      if (!(ratePerSecond > 0)) {
        throw new IllegalArgumentException("rate must be positive, got " + ratePerSecond);
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration must be positive");
      }
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight must be at least 1");
      }
    }
  }

  /**
   * What a run saw.
   *
   * @param offered         requests due within the window
   * @param sent            requests actually sent (fewer than offered when the in-flight cap held the sender back)
   * @param ok              2xx answers
   * @param okInWindow      2xx answers that completed within the window
   * @param statusCounts    answers by HTTP status, -1 for transport failures, 0 for no answer before the timeout
   * @param window          the sending window
   * @param latencies       latency of 2xx answers from their intended send time
   */
  public record Result(long offered, long sent, long ok, long okInWindow, Map<Integer, Long> statusCounts,
      Duration window, Latencies latencies) {

    /** 2xx completions per second inside the window. */
    public double throughput() {
      return okInWindow / (window.toNanos() / 1e9);
    }

    /** Answers that were not 2xx (including transport failures and timeouts). */
    public long failed() {
      return statusCounts.entrySet().stream().filter(e -> e.getKey() < 200 || e.getKey() > 299)
          .mapToLong(Map.Entry::getValue).sum();
    }

    /** The share of sent requests answered 2xx. */
    public double okShare() {
      return sent == 0 ? 0 : (double) ok / sent;
    }
  }

  /** Receives each answer (on a client thread). */
  @FunctionalInterface
  public interface AnswerSink {
    void answer(int index, int status, String body);
  }

  /** What one call answered: an HTTP status (or 200 for a call without one) and a body. */
  public record Answer(int status, String body) {
  }

  /**
   * Runs a plan of any asynchronous calls (for example an SDK call handed to a thread pool): call {@code i} is
   * started by {@code call.apply(i)} when it is due; a call that completes exceptionally counts as status -1.
   */
  public static Result runCalls(Plan plan, IntFunction<CompletableFuture<Answer>> call, AnswerSink sink) {
    double seconds = plan.duration().toNanos() / 1e9;
    int offered = (int) Math.min(Integer.MAX_VALUE - 8, Math.floor(plan.ratePerSecond() * seconds));
    long[] latency = new long[offered];
    long[] completedAt = new long[offered];
    int[] status = new int[offered];
    java.util.Arrays.fill(status, NOT_SENT);
    Semaphore permits = new Semaphore(plan.maxInFlight());
    double periodNanos = 1e9 / plan.ratePerSecond();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    long end = start + plan.duration().toNanos();
    for (int i = 0; i < offered; i++) {
      long intended = start + (long) (i * periodNanos);
      sleepUntil(intended);
      if (!acquireBefore(permits, end)) {
        break;
      }
      final int index = i;
      CompletableFuture<Answer> answer;
      status[index] = 0;
      try {
        answer = call.apply(i);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answer.whenComplete((response, failure) -> {
        long now = System.nanoTime();
        completedAt[index] = now;
        latency[index] = now - intended;
        int code = failure != null ? -1 : response.status();
        status[index] = code;
        permits.release();
        try {
          sink.answer(index, code, failure != null ? failure.toString() : response.body());
        } catch (RuntimeException e) {
          // a sink's failure must not lose the permit or the measurement; it shows in its own checks
        }
      });
    }
    // let what was sent finish (bounded: calls are expected to time out themselves)
    try {
      if (permits.tryAcquire(plan.maxInFlight(), 60, TimeUnit.SECONDS)) {
        permits.release(plan.maxInFlight());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return result(plan, offered, status, completedAt, latency, end);
  }

  /** Takes an in-flight permit, waiting at most until {@code end}; false when the window closed first. */
  private static boolean acquireBefore(Semaphore permits, long end) {
    try {
      while (true) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        if (permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          if (System.nanoTime() >= end) {
            permits.release();
            return false;
          }
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static void sleepUntil(long nanoTime) {
    long wait;
    while ((wait = nanoTime - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }


  /** Builds a result from per-call records: status ({@link #NOT_SENT} when never sent), completion and latency. */
  static Result result(Plan plan, int offered, int[] status, long[] completedAt, long[] latency, long end) {
    long ok = 0;
    long okInWindow = 0;
    long sent = 0;
    long[] okLatency = new long[offered];
    int okCount = 0;
    Map<Integer, Long> counts = new TreeMap<>();
    for (int i = 0; i < offered; i++) {
      if (status[i] == NOT_SENT) {
        continue;
      }
      sent++;
      counts.merge(status[i], 1L, Long::sum);
      if (status[i] >= 200 && status[i] <= 299) {
        ok++;
        okLatency[okCount++] = latency[i];
        if (completedAt[i] <= end) {
          okInWindow++;
        }
      }
    }
    return new Result(offered, sent, ok, okInWindow, counts, plan.duration(), Latencies.of(okLatency, okCount));
  }
}
