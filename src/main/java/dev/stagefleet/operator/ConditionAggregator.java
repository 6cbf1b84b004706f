package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a broadcast's conditions from what one reconcile found. Steps report "not ready because…", "degraded
 * because…" and "scaling because…"; this class alone decides what Ready means, orders the conditions Ready first,
 * stamps observedGeneration, and carries lastTransitionTime forward while a condition's status stays the same.
 */
public final class ConditionAggregator {
  static final String TRUE = "True";
  static final String FALSE = "False";

  private final List<Condition> previous;
  private final Long generation;
  private final Instant now;
  private final List<Reason> notReady = new ArrayList<>();
  private final List<Reason> degraded = new ArrayList<>();
  private Reason scaling;
  private Reason stable = new Reason("Stable", "The stages match the audience");
  private Reason ready = new Reason("StagesReady", "Every desired stage is active");
  private Reason saturated;

  private record Reason(String reason, String message) {
  }

  public ConditionAggregator(List<Condition> previous, Long generation, Instant now) {
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation;
    this.now = now;
  }

  /** Ready is False for this reason unless something worse is reported. */
  public ConditionAggregator notReady(String reason, String message) {
    notReady.add(new Reason(reason, message));
    return this;
  }

  /** Degraded is True for this reason (the first reported wins), and Ready is False. */
  public ConditionAggregator degraded(String reason, String message) {
    degraded.add(new Reason(reason, message));
    return this;
  }

  /** Scaling is True: stages are being added or drained. */
  public ConditionAggregator scaling(String reason, String message) {
    if (scaling == null) {
      scaling = new Reason(reason, message);
    }
    return this;
  }

  /** Scaling is False, with this explanation (for example a scale-down waiting for its window). */
  public ConditionAggregator stable(String reason, String message) {
    stable = new Reason(reason, message);
    return this;
  }

  /** Saturated is True: viewers wait and maxStages bounds the broadcast. */
  public ConditionAggregator saturated(String reason, String message) {
    saturated = new Reason(reason, message);
    return this;
  }

  /** The message of Ready when it is True. */
  public ConditionAggregator readyMessage(String message) {
    ready = new Reason("StagesReady", message);
    return this;
  }

  public boolean isDegraded() {
    return !degraded.isEmpty();
  }

  /** Ready, Scaling, Degraded and Saturated, in that order. */
  public List<Condition> build() {
    List<Condition> out = new ArrayList<>();
    if (!degraded.isEmpty()) {
      out.add(condition(ConditionTypes.READY, FALSE, degraded.get(0)));
    } else if (!notReady.isEmpty()) {
      out.add(condition(ConditionTypes.READY, FALSE, notReady.get(0)));
    } else {
      out.add(condition(ConditionTypes.READY, TRUE, ready));
    }
    out.add(scaling != null ? condition(ConditionTypes.SCALING, TRUE, scaling)
        : condition(ConditionTypes.SCALING, FALSE, stable));
    out.add(degraded.isEmpty() ? condition(ConditionTypes.DEGRADED, FALSE, new Reason("AsExpected", "No problems"))
        : condition(ConditionTypes.DEGRADED, TRUE, degraded.get(0)));
    out.add(saturated != null ? condition(ConditionTypes.SATURATED, TRUE, saturated)
        : condition(ConditionTypes.SATURATED, FALSE, new Reason("SeatsAvailable", "No viewer waits beyond maxStages")));
    return out;
  }

  /** The phase the conditions add up to, given how many stages are ready. */
  public Phase phase(int readyStages) {
    if (!degraded.isEmpty()) {
      return Phase.Degraded;
    }
    if (scaling != null) {
      return Phase.Scaling;
    }
    return readyStages > 0 && notReady.isEmpty() ? Phase.Live : Phase.Pending;
  }

  private Condition condition(String type, String status, Reason why) {
    String since = previous.stream()
        .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(Condition::getLastTransitionTime)
        .findFirst()
        .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return new ConditionBuilder().withType(type).withStatus(status).withReason(why.reason())
        .withMessage(why.message()).withLastTransitionTime(since).withObservedGeneration(generation).build();
  }
}
