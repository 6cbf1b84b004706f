package dev.stagefleet.scaling;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the scaling policy wants done now.
 *
 * @param viewers          viewers across all stages, active and draining
 * @param waiting          viewers the gateways hold for a seat (counted in desiredStages)
 * @param desiredStages    active stages the audience needs (clamped to the spec's limits)
 * @param stagesToCreate   new stages to create (after reactivating draining ones)
 * @param toReactivate     draining stages (ids) to make active again instead of creating new ones
 * @param toDrain          active stages (ids) to drain, fewest viewers first
 * @param toDelete         draining stages (ids) that are empty or past their drain timeout
 * @param scaleDownWindow  the scale-down window to carry into the next decision, empty when none is open
 * @param nextReview       the earliest time this decision changes without any new observation (a window or a
 *                         drain timeout ends), empty when nothing is pending
 */
public record ScalingDecision(int viewers, int waiting, int desiredStages, int stagesToCreate, List<String> toReactivate,
    List<String> toDrain, List<String> toDelete, Optional<ScaleDownWindow> scaleDownWindow,
    Optional<Instant> nextReview) {

  public ScalingDecision {
    toReactivate = List.copyOf(toReactivate);
    toDrain = List.copyOf(toDrain);
    toDelete = List.copyOf(toDelete);
  }

  /** True when the decision changes anything. */
  public boolean changesStages() {
    return stagesToCreate > 0 || !toReactivate.isEmpty() || !toDrain.isEmpty() || !toDelete.isEmpty();
  }

  /**
   * True when demand exceeds what maxStages allows: viewers are waiting and even {@code maxStages} full stages
   * would not seat them all.
   */
  public boolean saturated(ScalingSettings settings) {
    return waiting > 0 && viewers + waiting > (long) settings.maxStages() * settings.viewersPerStage();
  }

  /** True when the decision adds active stages. */
  public boolean scalesUp() {
    return stagesToCreate > 0 || !toReactivate.isEmpty();
  }
}
