package dev.stagefleet.emulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Faults the emulator injects into IVS calls, changeable while it runs (the control API under {@code /_emulator/faults}
 * changes the same object). Thread-safe; setters return this for chaining.
 */
public final class Faults {
  private final boolean defaultThrottling;
  private final Duration defaultLatency;
  private final double defaultErrorRate;
  private volatile Duration latency;
  private final Map<String, Duration> operationLatency = new ConcurrentHashMap<>();
  private volatile double errorRate;
  private volatile boolean outage;
  private volatile Instant[] outageWindow;
  private final Clock clock;
  private volatile boolean throttling;
  private volatile boolean accessDenied;
  private volatile boolean pendingVerification;
  private final java.util.concurrent.atomic.AtomicInteger failNext = new java.util.concurrent.atomic.AtomicInteger();

  Faults(EmulatorSettings settings) {
    this.defaultThrottling = settings.throttling();
    this.defaultLatency = settings.latency();
    this.defaultErrorRate = settings.errorRate();
    this.clock = settings.clock();
    clear();
  }

  /** Adds this delay to every IVS call. */
  public Faults latency(Duration latency) {
    Objects.requireNonNull(latency, "latency");
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative");
    }
    this.latency = latency;
    return this;
  }

  public Duration latency() {
    return latency;
  }

  /** Adds this delay to one operation (on top of {@link #latency(Duration)}); zero removes it. */
  public Faults operationLatency(String operation, Duration latency) {
    Objects.requireNonNull(operation, "operation");
    if (latency == null || latency.isZero()) {
      operationLatency.remove(operation);
    } else if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative");
    } else {
      operationLatency.put(operation, latency);
    }
    return this;
  }

  public Duration operationLatency(String operation) {
    return operationLatency.getOrDefault(operation, Duration.ZERO);
  }

  /** Per-operation delays, sorted by operation. */
  public Map<String, Duration> operationLatencies() {
    return new TreeMap<>(operationLatency);
  }

  /** Answers this fraction (0..1) of IVS calls with 500 InternalServerException. */
  public Faults errorRate(double errorRate) {
    if (!(errorRate >= 0 && errorRate <= 1)) {
      throw new IllegalArgumentException("error rate must be between 0 and 1, got " + errorRate);
    }
    this.errorRate = errorRate;
    return this;
  }

  public double errorRate() {
    return errorRate;
  }

  /** Answers the next {@code calls} IVS calls with 500 InternalServerException (deterministic, unlike the rate). */
  public Faults failNext(int calls) {
    if (calls < 0) {
      throw new IllegalArgumentException("calls must not be negative, got " + calls);
    }
    failNext.set(calls);
    return this;
  }

  /** How many of the next IVS calls will still fail because of {@link #failNext(int)}. */
  public int failNext() {
    return failNext.get();
  }

  /** Takes one of the calls to fail, if any are left. */
  boolean takeFailure() {
    return failNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  /** While on, every IVS call is answered 503 ServiceUnavailableException. */
  public Faults outage(boolean outage) {
    this.outage = outage;
    return this;
  }

  /**
   * An outage window: every IVS call from {@code start} (inclusive) until {@code end} (exclusive), by the emulator's
   * clock, is answered 503 ServiceUnavailableException, as during a regional incident that heals by itself.
   */
  public Faults outageWindow(Instant start, Instant end) {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("an outage window must not end before it starts");
    }
    this.outageWindow = new Instant[] {start, end};
    return this;
  }

  /** An outage window starting {@code after} from now and lasting {@code length}. */
  public Faults outageWindow(Duration after, Duration length) {
    if (after.isNegative() || length.isNegative()) {
      throw new IllegalArgumentException("an outage window needs a start and a length of 0 or more");
    }
    Instant start;
    Instant end;
    try {
      start = clock.instant().plus(after);
      end = start.plus(length);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      throw new IllegalArgumentException("an outage window must start and end within the next centuries");
    }
    return outageWindow(start, end);
  }

  /** The outage window, start and end, if one is set (it stays set after it passed, until cleared). */
  public Optional<List<Instant>> outageWindow() {
    Instant[] window = outageWindow;
    return window == null ? Optional.empty() : Optional.of(List.of(window[0], window[1]));
  }

  /** True while IVS calls fail: the outage is on, or now is inside the outage window. */
  public boolean outage() {
    if (outage) {
      return true;
    }
    Instant[] window = outageWindow;
    if (window == null) {
      return false;
    }
    Instant now = clock.instant();
    return !now.isBefore(window[0]) && now.isBefore(window[1]);
  }

  /** Turns IVS's per-operation rate quotas (429 ThrottlingException) on or off. */
  public Faults throttling(boolean throttling) {
    this.throttling = throttling;
    return this;
  }

  public boolean throttling() {
    return throttling;
  }

  /** While on, every IVS call is answered 403 AccessDeniedException (credentials without permission). */
  public Faults accessDenied(boolean accessDenied) {
    this.accessDenied = accessDenied;
    return this;
  }

  public boolean accessDenied() {
    return accessDenied;
  }

  /** While on, calls IVS refuses to unverified accounts are answered 403 PendingVerification. */
  public Faults pendingVerification(boolean pendingVerification) {
    this.pendingVerification = pendingVerification;
    return this;
  }

  public boolean pendingVerification() {
    return pendingVerification;
  }

  /** Back to the faults the emulator started with (its settings' latency, error rate and throttling). */
  public Faults clear() {
    latency = defaultLatency;
    operationLatency.clear();
    errorRate = defaultErrorRate;
    outage = false;
    outageWindow = null;
    throttling = defaultThrottling;
    accessDenied = false;
    pendingVerification = false;
    failNext.set(0);
    return this;
  }
}
