package dev.stagefleet.ivs;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client-side rate limits for IVS real-time, one limiter per operation, matched to IVS's per-account rate quotas:
 * IVS gives each operation its own quota ("CreateStage, DeleteStage, GetStage, UpdateStage, ListStages: 5 TPS each"),
 * so an inventory ListStages never holds back a CreateStage. The {@link OperationClass} groups operations that share a
 * quota value. Create one per process and share it with every caller (operator and gateway in one JVM): IVS counts the
 * account's calls, not ours per component.
 *
 * <p>Permits are spread evenly (one every 1/rate seconds) rather than granted in bursts at period boundaries, so the
 * calls we send never outrun IVS's token buckets (capacity = one second's worth).
 */
public final class IvsRateLimits {
  /** How long a caller waits for a permit before it gives up, unless told otherwise. */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);

  /** IVS operations grouped by the value of their rate quotas (each operation is limited on its own). */
  public enum OperationClass {
    /** CreateStage, DeleteStage, GetStage, UpdateStage, ListStages: 5 calls/s each. */
    STAGE(5),
    /** ListParticipants, GetParticipant, DisconnectParticipant, ListStageSessions, GetStageSession: 5 calls/s. */
    PARTICIPANT(5),
    /** CreateParticipantToken: 50 calls/s. */
    TOKEN(50),
    /** ImportPublicKey, GetPublicKey, ListPublicKeys, DeletePublicKey: 3 calls/s. */
    KEY(3),
    /** TagResource, UntagResource, ListTagsForResource: 10 calls/s. */
    TAG(10),
    /** Start/StopParticipantReplication, ListParticipantReplicas: not published by IVS; 5 calls/s like stages. */
    REPLICATION(5);

    private final double defaultCallsPerSecond;

    OperationClass(double defaultCallsPerSecond) {
      this.defaultCallsPerSecond = defaultCallsPerSecond;
    }

    /** IVS's rate quota for the class, in calls per second. */
    public double defaultCallsPerSecond() {
      return defaultCallsPerSecond;
    }

    /** The class of an IVS real-time operation, for example {@code CreateStage} -> STAGE. */
    public static OperationClass of(String operation) {
      return switch (operation) {
        case "CreateStage", "DeleteStage", "GetStage", "UpdateStage", "ListStages" -> STAGE;
        case "CreateParticipantToken" -> TOKEN;
        case "ImportPublicKey", "GetPublicKey", "ListPublicKeys", "DeletePublicKey" -> KEY;
        case "TagResource", "UntagResource", "ListTagsForResource" -> TAG;
        case "StartParticipantReplication", "StopParticipantReplication", "ListParticipantReplicas" -> REPLICATION;
        default -> PARTICIPANT;
      };
    }
  }

  private final Map<OperationClass, Double> callsPerSecond;
  /** One limiter per operation, made on its first call. */
  private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();
  private final Duration maxWait;

  /** IVS's quotas, waiting at most {@link #DEFAULT_MAX_WAIT} for a permit. */
  public IvsRateLimits() {
    this(Map.of(), DEFAULT_MAX_WAIT);
  }

  /**
   * Custom limits.
   *
   * @param callsPerSecond rates per class; classes left out get IVS's quota
   * @param maxWait how long a caller waits for a permit before {@link #acquire} gives up
   */
  public IvsRateLimits(Map<OperationClass, Double> callsPerSecond, Duration maxWait) {
    Objects.requireNonNull(callsPerSecond, "callsPerSecond");
    if (maxWait == null || maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must be zero or positive");
    }
    this.maxWait = maxWait;
    Map<OperationClass, Double> rates = new EnumMap<>(OperationClass.class);
    for (OperationClass operationClass : OperationClass.values()) {
      double rate = callsPerSecond.getOrDefault(operationClass, operationClass.defaultCallsPerSecond());
      if (!(rate > 0)) {
        throw new IllegalArgumentException("rate of " + operationClass + " must be positive, got " + rate);
      }
      rates.put(operationClass, rate);
    }
    this.callsPerSecond = Collections.unmodifiableMap(rates);
  }

  /** Waits for a permit to call the operation; false when none came within the maximum wait. */
  public boolean acquire(String operation) {
    return limiters.computeIfAbsent(operation, this::limiter).acquirePermission();
  }

  private RateLimiter limiter(String operation) {
    double rate = callsPerSecond.get(OperationClass.of(operation));
    return RateLimiter.of("ivs-" + operation, RateLimiterConfig.custom()
        .limitForPeriod(1)
        .limitRefreshPeriod(Duration.ofNanos(Math.max(1, Math.round(1e9 / rate))))
        .timeoutDuration(maxWait)
        .build());
  }

  /** The rate of a class in calls per second. */
  public double callsPerSecond(OperationClass operationClass) {
    return callsPerSecond.get(operationClass);
  }

  /** How long {@link #acquire} waits at most. */
  public Duration maxWait() {
    return maxWait;
  }

  @Override
  public String toString() {
    return "IvsRateLimits" + callsPerSecond;
  }
}
