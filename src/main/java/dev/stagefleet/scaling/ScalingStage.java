package dev.stagefleet.scaling;

import java.time.Instant;
import java.util.Objects;

/**
 * One stage as the scaling policy sees it: its state, its audience, since when it drains, and when its audience was
 * last counted ({@code countedAt}, null when no fresh count exists).
 */
public record ScalingStage(String id, State state, int viewers, Instant createdAt, Instant drainingSince,
    Instant countedAt) {

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
    return new ScalingStage(id, State.ACTIVE, viewers, createdAt, null, null);
  }

  public static ScalingStage draining(String id, int viewers, Instant createdAt, Instant drainingSince) {
    return new ScalingStage(id, State.DRAINING, viewers, createdAt, drainingSince, null);
  }

  /** This stage, its viewers counted at {@code at}. */
  public ScalingStage countedAt(Instant at) {
    return new ScalingStage(id, state, viewers, createdAt, drainingSince, at);
  }

  /**
   * Whether this draining stage is known to be empty: no viewers in a count made after its drain began. A count from
   * before could miss viewers placed on it just before the gateways learnt it drains (or, after an operator restart,
   * viewers the gateways had not reported yet).
   */
  public boolean isEmptySinceDraining() {
    return viewers == 0 && drainingSince != null && countedAt != null && countedAt.isAfter(drainingSince);
  }

  public boolean isActive() {
    return state == State.ACTIVE;
  }
}
