package dev.stagefleet.emulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the IVS calls an emulator answered (control API calls are not counted). Thread-safe. */
public final class EmulatorStats {
  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
  private final LongAdder throttled = new LongAdder();
  private final LongAdder injectedErrors = new LongAdder();

  void recordCall(String operation) {
    calls.computeIfAbsent(operation, op -> new LongAdder()).increment();
  }

  void recordThrottled() {
    throttled.increment();
  }

  void recordInjectedError() {
    injectedErrors.increment();
  }

  /** Calls of one operation (for example {@code CreateStage}), throttled and failed ones included. */
  public long calls(String operation) {
    LongAdder adder = calls.get(operation);
    return adder == null ? 0 : adder.sum();
  }

  /** Calls per operation, sorted by name. */
  public Map<String, Long> callsByOperation() {
    Map<String, Long> result = new TreeMap<>();
    calls.forEach((op, adder) -> result.put(op, adder.sum()));
    return result;
  }

  /** Every IVS call, all operations together. */
  public long totalCalls() {
    return calls.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Calls answered 429 ThrottlingException. */
  public long throttled() {
    return throttled.sum();
  }

  /** Calls failed on purpose by fault injection (error rate, outage, access denied). */
  public long injectedErrors() {
    return injectedErrors.sum();
  }

  /** Sets every counter back to zero. */
  public void reset() {
    calls.clear();
    throttled.reset();
    injectedErrors.reset();
  }
}
