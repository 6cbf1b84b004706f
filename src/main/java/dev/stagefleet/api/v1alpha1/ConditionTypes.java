package dev.stagefleet.api.v1alpha1;

/** Condition types and reasons of a LiveBroadcast's status: every reason the operator writes is here. */
public final class ConditionTypes {
  public static final String READY = "Ready";
  public static final String SCALING = "Scaling";
  public static final String DEGRADED = "Degraded";
  /** True while viewers wait and even maxStages full stages could not seat them: raise spec.maxStages. */
  public static final String SATURATED = "Saturated";

  public static final String REASON_STAGES_READY = "StagesReady";
  public static final String REASON_STAGES_PENDING = "StagesPending";
  public static final String REASON_DELETING = "Deleting";
  public static final String REASON_STABLE = "Stable";
  public static final String REASON_SCALING_UP = "ScalingUp";
  public static final String REASON_DRAINING = "Draining";
  public static final String REASON_SCALE_DOWN_STABILIZING = "ScaleDownStabilizing";
  public static final String REASON_AS_EXPECTED = "AsExpected";
  public static final String REASON_AT_MAX_STAGES = "AtMaxStages";
  public static final String REASON_SEATS_AVAILABLE = "SeatsAvailable";
  public static final String REASON_REPLICATION_FAILED = "ReplicationFailed";
  public static final String REASON_INVALID_SPEC = "InvalidSpec";
  public static final String REASON_QUOTA_EXCEEDED = "QuotaExceeded";
  public static final String REASON_IVS_UNAVAILABLE = "IvsUnavailable";
  public static final String REASON_THROTTLED = "Throttled";
  public static final String REASON_ACCESS_DENIED = "AccessDenied";

  private ConditionTypes() {
  }
}
