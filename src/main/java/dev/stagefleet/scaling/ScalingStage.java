package dev.stagefleet.scaling;

import java.time.Instant;
import java.util.Objects;

/** One stage as the scaling policy sees it: its state, its audience and since when it drains. */
public record ScalingStage(String id, State state, int viewers, Instant createdAt, Instant drainingSince) {

  /** Active stages take new viewers; draining stages lose theirs and are deleted when empty. */
  public enum State { ACTIVE, DRAINING }

  public ScalingStage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    if (viewers < 0) {
      throw new IllegalArgumentException("viewers must not be negative: " + viewers);
    }
    if (state == State.DRAINING && drainingSince == null) {
      throw new IllegalArgumentException("a draining stage needs drainingSince: " + id);
    }
  }

  public static ScalingStage active(String id, int viewers, Instant createdAt) {
    return new ScalingStage(id, State.ACTIVE, viewers, createdAt, null);
  }

  public static ScalingStage draining(String id, int viewers, Instant createdAt, Instant drainingSince) {
    return new ScalingStage(id, State.DRAINING, viewers, createdAt, drainingSince);
  }

  public boolean isActive() {
    return state == State.ACTIVE;
  }
}
