package dev.stagefleet.api.v1alpha1;

/** Values of {@code status.phase}, as `kubectl get livebroadcast` shows them. */
public enum Phase {
  Pending, Live, Scaling, Degraded, Deleting
}
