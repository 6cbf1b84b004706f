package dev.stagefleet.api.v1alpha1;

/** Condition types and reasons of a LiveBroadcast's status. */
public final class ConditionTypes {
  public static final String READY = "Ready";
  public static final String SCALING = "Scaling";
  public static final String DEGRADED = "Degraded";
  /** True while viewers wait and even maxStages full stages could not seat them: raise spec.maxStages. */
  public static final String SATURATED = "Saturated";

  public static final String REASON_INVALID_SPEC = "InvalidSpec";
  public static final String REASON_QUOTA_EXCEEDED = "QuotaExceeded";
  public static final String REASON_IVS_UNAVAILABLE = "IvsUnavailable";
  public static final String REASON_THROTTLED = "Throttled";
  public static final String REASON_ACCESS_DENIED = "AccessDenied";

  private ConditionTypes() {
  }
}
