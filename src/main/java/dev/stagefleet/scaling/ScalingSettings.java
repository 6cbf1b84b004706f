package dev.stagefleet.scaling;

import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import java.time.Duration;

/** The limits and timings the scaling policy applies to one broadcast, taken from its spec. */
public record ScalingSettings(int viewersPerStage, int minStages, int maxStages, double targetFill,
    Duration stabilizationWindow, Duration drainTimeout) {

  public ScalingSettings {
    if (viewersPerStage < 1 || minStages < 0 || maxStages < minStages || !(targetFill > 0 && targetFill <= 1)
        || stabilizationWindow.isNegative() || drainTimeout.isNegative()) {
      throw new IllegalArgumentException("inconsistent scaling settings: " + viewersPerStage + " viewers per stage, "
          + minStages + ".." + maxStages + " stages, target fill " + targetFill);
    }
  }

  /** The settings of a valid spec (see {@link LiveBroadcastSpec#validate()}). */
  public static ScalingSettings of(LiveBroadcastSpec spec) {
    var scaling = spec.getScaling();
    return new ScalingSettings(spec.getViewersPerStage(), spec.getMinStages(), spec.getMaxStages(),
        scaling.getTargetFill(), Duration.ofSeconds(scaling.getScaleDownStabilizationSeconds()),
        Duration.ofSeconds(scaling.getDrainTimeoutSeconds()));
  }

  /** Viewers one stage takes before another stage is wanted. */
  public double targetViewersPerStage() {
    return viewersPerStage * targetFill;
  }
}
