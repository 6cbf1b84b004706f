package dev.stagefleet.emulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The emulator's service quotas (IVS defaults unless changed) and per-operation rate quotas in calls per second.
 * Thread-safe; setters return this for chaining.
 */
public final class EmulatorQuotas {
  /** IVS real-time's documented rate quotas (calls per second, per account and region). */
  public static final Map<String, Double> DEFAULT_RATES = defaultRates();

  private volatile int stages;
  private volatile int subscribersPerStage;
  private volatile int publishersPerStage;
  private volatile int publicKeys;
  private volatile int replicationsPerParticipant;
  private final Map<String, Double> rates = new ConcurrentHashMap<>();

  EmulatorQuotas() {
    reset();
  }

  private static Map<String, Double> defaultRates() {
    Map<String, Double> rates = new TreeMap<>();
    for (String op : new String[] {"CreateStage", "DeleteStage", "GetStage", "UpdateStage", "ListStages",
        "ListParticipants", "GetParticipant", "ListParticipantEvents", "DisconnectParticipant", "ListStageSessions",
        "GetStageSession",
        // not listed by IVS; the same 5/s as the other stage operations
        "StartParticipantReplication", "StopParticipantReplication", "ListParticipantReplicas"}) {
      rates.put(op, 5.0);
    }
    rates.put("CreateParticipantToken", 50.0);
    for (String op : new String[] {"ImportPublicKey", "GetPublicKey", "ListPublicKeys", "DeletePublicKey"}) {
      rates.put(op, 3.0);
    }
    for (String op : new String[] {"TagResource", "UntagResource", "ListTagsForResource"}) {
      rates.put(op, 10.0);
    }
    return Map.copyOf(rates);
  }

  /** Stages per region (IVS: 1000). */
  public int stages() {
    return stages;
  }

  public EmulatorQuotas stages(int stages) {
    this.stages = notNegative(stages, "stages");
    return this;
  }

  /** Subscribers connected to one stage at once (IVS: 10000). */
  public int subscribersPerStage() {
    return subscribersPerStage;
  }

  public EmulatorQuotas subscribersPerStage(int subscribersPerStage) {
    this.subscribersPerStage = notNegative(subscribersPerStage, "subscribersPerStage");
    return this;
  }

  /** Publishers in one stage at once (IVS: 12). */
  public int publishersPerStage() {
    return publishersPerStage;
  }

  public EmulatorQuotas publishersPerStage(int publishersPerStage) {
    this.publishersPerStage = notNegative(publishersPerStage, "publishersPerStage");
    return this;
  }

  /** Imported public keys per region (IVS: 3). */
  public int publicKeys() {
    return publicKeys;
  }

  public EmulatorQuotas publicKeys(int publicKeys) {
    this.publicKeys = notNegative(publicKeys, "publicKeys");
    return this;
  }

  /** Active replications of one participant (IVS: 5). */
  public int replicationsPerParticipant() {
    return replicationsPerParticipant;
  }

  public EmulatorQuotas replicationsPerParticipant(int replicationsPerParticipant) {
    this.replicationsPerParticipant = notNegative(replicationsPerParticipant, "replicationsPerParticipant");
    return this;
  }

  /** The rate quota of an operation in calls per second; operations without one get 5. */
  public double rate(String operation) {
    return rates.getOrDefault(operation, 5.0);
  }

  /**
   * Sets an operation's rate quota in calls per second; the burst allowed is one second's worth, and at least one call
   * (so 0.5 allows one call every two seconds).
   */
  public EmulatorQuotas rate(String operation, double callsPerSecond) {
    if (!(callsPerSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive, got " + callsPerSecond);
    }
    rates.put(operation, callsPerSecond);
    return this;
  }

  /** Every operation's rate quota, sorted by operation. */
  public Map<String, Double> rates() {
    return new TreeMap<>(rates);
  }

  /** Back to IVS's defaults. */
  public EmulatorQuotas reset() {
    stages = 1000;
    subscribersPerStage = 10_000;
    publishersPerStage = 12;
    publicKeys = 3;
    replicationsPerParticipant = 5;
    rates.clear();
    rates.putAll(DEFAULT_RATES);
    return this;
  }

  private static int notNegative(int value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
    return value;
  }
}
