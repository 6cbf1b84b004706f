package dev.stagefleet.scaling;

import java.time.Instant;
import java.util.Objects;

/**
 * Since when the policy has wanted fewer active stages than there are, and the most stages it wanted meanwhile.
 * When the window has lasted the stabilization period, the policy drains down to {@code highestDesired}, so a
 * brief dip never removes a stage the audience needed a moment later.
 */
public record ScaleDownWindow(Instant since, int highestDesired) {
  public ScaleDownWindow {
    Objects.requireNonNull(since, "since");
  }

  ScaleDownWindow including(int desired) {
    return desired > highestDesired ? new ScaleDownWindow(since, desired) : this;
  }
}
