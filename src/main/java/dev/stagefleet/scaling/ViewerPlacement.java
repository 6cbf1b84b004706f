package dev.stagefleet.scaling;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Picks the stage a new viewer joins: the fullest Active stage that still has room, so that new viewers pile onto few
 * stages and the emptiest ones drain away and can be removed. Pure: no I/O, no clock.
 */
public final class ViewerPlacement {

  private ViewerPlacement() {
  }

  /**
   * Places one viewer.
   *
   * @param stages    every stage of the broadcast in status order (oldest first), with the viewers counted on it
   * @param capacity  most viewers on one stage ({@code spec.viewersPerStage})
   * @param maxStages most stages the broadcast may have ({@code spec.maxStages})
   */
  public static Decision place(List<StageLoad> stages, int capacity, int maxStages) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, but is " + capacity);
    }
    StageLoad best = null;
    boolean anyActive = false;
    for (StageLoad stage : stages) {
      if (!stage.active()) {
        continue;
      }
      anyActive = true;
      // strictly greater keeps the oldest of equally full stages, so placement is stable across requests
      if (stage.viewers() < capacity && (best == null || stage.viewers() > best.viewers())) {
        best = stage;
      }
    }
    if (best != null) {
      return new Placed(best.stageId());
    }
    if (!anyActive) {
      return new NoActiveStage();
    }
    return new AllFull(stages.size() >= maxStages);
  }

  /**
   * Places one viewer as a gateway replica may: on the stage {@link #place} picks when this replica still has seats
   * there, else on the fullest stage with room where it has seats left; {@link NoSeatHere} when the stages with room
   * have their free seats held by other replicas.
   *
   * @param seatsLeft seats this replica may still fill, per stage id (absent: none)
   */
  public static Decision place(List<StageLoad> stages, int capacity, int maxStages, Map<String, Integer> seatsLeft) {
    Decision overall = place(stages, capacity, maxStages);
    if (!(overall instanceof Placed placed) || seatsLeft.getOrDefault(placed.stageId(), 0) > 0) {
      return overall;
    }
    List<StageLoad> mine = stages.stream().map(s -> new StageLoad(s.stageId(),
        s.active() && seatsLeft.getOrDefault(s.stageId(), 0) > 0, s.viewers())).toList();
    Decision within = place(mine, capacity, maxStages);
    return within instanceof Placed ? within : new NoSeatHere();
  }

  /** A stage as placement sees it: its id, whether viewers may be placed there, and how many it has now. */
  public record StageLoad(String stageId, boolean active, int viewers) {
    public StageLoad {
      Objects.requireNonNull(stageId, "stageId");
      if (viewers < 0) {
        throw new IllegalArgumentException("viewers must not be negative, but is " + viewers);
      }
    }
  }

  /** Where a viewer goes, or why nowhere. */
  public sealed interface Decision permits Placed, AllFull, NoActiveStage, NoSeatHere {
  }

  /** The viewer goes to this stage. */
  public record Placed(String stageId) implements Decision {
  }

  /**
   * Every Active stage is full. {@code atMaxStages} tells whether the broadcast already has as many stages as it may
   * (otherwise the operator is about to add one).
   */
  public record AllFull(boolean atMaxStages) implements Decision {
  }

  /** The broadcast has no Active stage yet (the operator has not created one, or every stage is draining). */
  public record NoActiveStage() implements Decision {
  }

  /** A stage has room, but its free seats are held by other gateway replicas; this one must claim some first. */
  public record NoSeatHere() implements Decision {
  }
}
