package dev.stagefleet.scaling;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The scaling policy: how many active stages an audience needs, and which stages to create, reactivate, drain
 * and delete to get there. A pure function of its inputs; time is passed in.
 *
 * <ul>
 *   <li>desired = clamp(ceil((viewers + waiting) / (viewersPerStage × targetFill)), minStages, maxStages), where
 *       waiting are the viewers the gateways could not place yet: without them a full broadcast (at targetFill 1.0
 *       always) could never ask for more than the capacity it has;</li>
 *   <li>scale up at once, to all the stages the demand needs in one decision, reactivating draining stages (most viewers first) before creating new ones;</li>
 *   <li>scale down only after desired has stayed lower for the stabilization window, then to the highest
 *       desired count seen in that window; surplus stages drain, fewest viewers first;</li>
 *   <li>a draining stage is deleted when a count made after its drain began finds it empty, or when its drain
 *       timeout has passed, never otherwise (so never in the pass that drains it, unless the timeout is zero);</li>
 *   <li>active stages above maxStages (the spec was lowered) drain at once.</li>
 * </ul>
 */
public final class ScalingPolicy {
  /** Absorbs floating-point noise so that exactly full stages do not ask for one more. */
  private static final double EPSILON = 1e-9;

  /** Active stages for {@code viewers} (placed plus waiting), clamped to the spec's limits. */
  public static int desiredStages(int viewers, ScalingSettings settings) {
    int needed = (int) Math.ceil(viewers / settings.targetViewersPerStage() - EPSILON);
    return Math.max(settings.minStages(), Math.min(settings.maxStages(), Math.max(needed, 0)));
  }

  /**
   * Decides what to do with the broadcast's stages now.
   *
   * @param waiting viewers the gateways hold because every stage is full (not on any stage yet)
   * @param window the window returned by the previous decision for this broadcast, or null
   */
  public ScalingDecision decide(ScalingSettings settings, List<ScalingStage> stages, int waiting,
      ScaleDownWindow window, Instant now) {
    if (waiting < 0) {
      throw new IllegalArgumentException("waiting viewers cannot be negative: " + waiting);
    }
    int viewers = stages.stream().mapToInt(ScalingStage::viewers).sum();
    int desired = desiredStages(viewers + waiting, settings);
    List<ScalingStage> active = stages.stream().filter(ScalingStage::isActive).toList();
    List<ScalingStage> draining = stages.stream().filter(s -> !s.isActive()).toList();

    List<String> reactivate = new ArrayList<>();
    List<String> drain = new ArrayList<>();
    int create = 0;
    ScaleDownWindow nextWindow = null;

    if (desired > active.size()) {
      int missing = desired - active.size();
      draining.stream()
          .sorted(Comparator.comparingInt(ScalingStage::viewers).reversed()
              .thenComparing(ScalingStage::drainingSince, Comparator.reverseOrder())
              .thenComparing(ScalingStage::id))
          .limit(missing)
          .forEach(s -> reactivate.add(s.id()));
      create = missing - reactivate.size();
    } else if (desired < active.size()) {
      ScaleDownWindow open = window == null ? new ScaleDownWindow(now, desired) : window.including(desired);
      int target = active.size();
      if (!now.isBefore(open.since().plus(settings.stabilizationWindow()))) {
        target = open.highestDesired();
        open = new ScaleDownWindow(now, desired);
      }
      target = Math.min(target, settings.maxStages());
      nextWindow = desired < target ? open : null;
      active.stream()
          .sorted(Comparator.comparingInt(ScalingStage::viewers)
              .thenComparing(ScalingStage::createdAt, Comparator.nullsFirst(Comparator.reverseOrder()))
              .thenComparing(ScalingStage::id))
          .limit(active.size() - target)
          .forEach(s -> drain.add(s.id()));
    }

    Set<String> reactivated = new HashSet<>(reactivate);
    List<String> delete = new ArrayList<>();
    Instant nextReview = nextWindow == null ? null : nextWindow.since().plus(settings.stabilizationWindow());
    for (ScalingStage stage : stages) {
      boolean drainingAfterThis = (!stage.isActive() && !reactivated.contains(stage.id())) || drain.contains(stage.id());
      if (!drainingAfterThis) {
        continue;
      }
      Instant since = stage.isActive() ? now : stage.drainingSince();
      Instant timeout = since.plus(settings.drainTimeout());
      // A stage drained in this pass is never deleted in it, however empty it looks: its count predates the drain.
      boolean empty = !stage.isActive() && stage.isEmptySinceDraining();
      if (empty || !now.isBefore(timeout)) {
        delete.add(stage.id());
      } else {
        nextReview = earliest(nextReview, timeout);
      }
    }
    return new ScalingDecision(viewers, waiting, desired, create, reactivate, drain, delete, Optional.ofNullable(nextWindow),
        Optional.ofNullable(nextReview));
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }
}
