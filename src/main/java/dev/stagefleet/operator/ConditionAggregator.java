package dev.stagefleet.operator;

import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_AS_EXPECTED;
import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_AT_MAX_STAGES;
import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_DELETING;
import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_DRAINING;
import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_QUOTA_EXCEEDED;
import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_SCALE_DOWN_STABILIZING;
import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_SCALING_UP;
import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_SEATS_AVAILABLE;
import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_STABLE;
import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_STAGES_PENDING;
import static dev.stagefleet.api.v1alpha1.ConditionTypes.REASON_STAGES_READY;

import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.Phase;
import dev.stagefleet.scaling.ScalingDecision;
import dev.stagefleet.scaling.ScalingSettings;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds a broadcast's whole status from what one reconcile found. Steps report "not ready because…", "degraded
 * because…", "scaling because…" and what the stages are; this class alone decides what Ready means and which phase
 * the broadcast is in, orders the conditions Ready first, stamps observedGeneration, carries lastTransitionTime forward
 * while a condition's status stays the same, and keeps what this reconcile did not observe from the previous status.
 */
public final class ConditionAggregator {
  static final String TRUE = "True";
  static final String FALSE = "False";

  private final LiveBroadcastStatus previousStatus;
  private final List<Condition> previous;
  private final Long generation;
  private final Instant now;
  private final List<Reason> notReady = new ArrayList<>();
  private final List<Reason> degraded = new ArrayList<>();
  private Reason scaling;
  private Reason stable = new Reason(REASON_STABLE, "The stages match the audience");
  private Reason ready = new Reason(REASON_STAGES_READY, "Every desired stage is active");
  private Reason saturated;
  private Observed observed;
  private boolean deleting;

  private record Reason(String reason, String message) {
  }

  /** What this reconcile saw of the stages and the audience. */
  private record Observed(BroadcastStages stages, ScalingDecision decision, boolean scaled) {
  }

  public ConditionAggregator(List<Condition> previous, Long generation, Instant now) {
    this(null, previous, generation, now);
  }

  private ConditionAggregator(LiveBroadcastStatus previousStatus, List<Condition> previous, Long generation,
      Instant now) {
    this.previousStatus = previousStatus;
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation;
    this.now = now;
  }

  /** A builder for the next status of {@code broadcast}, starting from the one it has. */
  static ConditionAggregator of(LiveBroadcast broadcast, Instant now) {
    LiveBroadcastStatus status = broadcast.getStatus();
    return new ConditionAggregator(status, status == null ? null : status.getConditions(),
        broadcast.getMetadata().getGeneration(), now);
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

  ConditionAggregator degraded(IvsFailure failure) {
    return degraded(failure.reason(), failure.message());
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
    ready = new Reason(REASON_STAGES_READY, message);
    return this;
  }

  /** The broadcast is being deleted: its phase is Deleting whatever else is reported. */
  ConditionAggregator deleting(boolean retain) {
    deleting = true;
    return notReady(REASON_DELETING, "The broadcast is being deleted; its stages are "
        + (retain ? "retained" : "deleted"));
  }

  /** The stages after this reconcile's actions, what the policy decided, and how the actions went. */
  ConditionAggregator stages(LiveBroadcastSpec spec, BroadcastStages stages, ScalingDecision decision,
      StageActions.Outcome outcome) {
    int active = stages.active();
    int desired = decision.desiredStages();
    observed = new Observed(stages, decision, outcome.created() + outcome.reactivated() + outcome.drained() > 0);
    readyMessage(StageActions.count(active, "active stage") + " for " + StageActions.count(decision.viewers(), "viewer"));
    if (outcome.quotaMessage() != null) {
      degraded(REASON_QUOTA_EXCEEDED, outcome.quotaMessage() + "; stage creation is paused and retried with backoff");
    }
    if (active < desired) {
      notReady(REASON_STAGES_PENDING, active + " of " + desired + " desired stages are active");
      scaling(REASON_SCALING_UP, "Adding stages: " + active + " of " + desired + " active");
    } else if (outcome.scaledUp()) {
      scaling(REASON_SCALING_UP, "Added " + (outcome.created() + outcome.reactivated()) + " stages");
    }
    if (stages.draining() > 0) {
      scaling(REASON_DRAINING, stages.draining() + " stages draining; each is deleted when empty or after "
          + spec.getScaling().getDrainTimeoutSeconds() + " s");
    } else if (decision.scaleDownWindow().isPresent()) {
      var window = decision.scaleDownWindow().get();
      stable(REASON_SCALE_DOWN_STABILIZING, "The audience needs " + desired + " of " + active
          + " active stages; surplus stages drain at " + BroadcastStages.timestamp(
              window.since().plusSeconds(spec.getScaling().getScaleDownStabilizationSeconds()))
          + " unless the audience returns");
    }
    ScalingSettings limits = ScalingSettings.of(spec);
    if (decision.saturated(limits)) {
      saturated(REASON_AT_MAX_STAGES, decision.waiting() + " viewers are waiting for a seat and maxStages ("
          + limits.maxStages() + " stages of " + limits.viewersPerStage()
          + ") bounds the broadcast; raise spec.maxStages to seat them");
    }
    return this;
  }

  /** Saturated's message when this status makes it True and the previous one did not: the start of saturation. */
  Optional<String> newlySaturated() {
    boolean was = previous.stream()
        .anyMatch(c -> ConditionTypes.SATURATED.equals(c.getType()) && TRUE.equals(c.getStatus()));
    return saturated == null || was ? Optional.empty() : Optional.of(saturated.message());
  }

  public boolean isDegraded() {
    return !degraded.isEmpty();
  }

  /** Ready, Scaling, Degraded and Saturated, in that order. */
  public List<Condition> conditions() {
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
    out.add(degraded.isEmpty() ? condition(ConditionTypes.DEGRADED, FALSE, new Reason(REASON_AS_EXPECTED, "No problems"))
        : condition(ConditionTypes.DEGRADED, TRUE, degraded.get(0)));
    out.add(saturated != null ? condition(ConditionTypes.SATURATED, TRUE, saturated)
        : condition(ConditionTypes.SATURATED, FALSE,
            new Reason(REASON_SEATS_AVAILABLE, "No viewer waits beyond maxStages")));
    return out;
  }

  /** The phase the conditions add up to, given how many stages are ready. */
  public Phase phase(int readyStages) {
    if (deleting) {
      return Phase.Deleting;
    }
    if (!degraded.isEmpty()) {
      return Phase.Degraded;
    }
    if (scaling != null) {
      return Phase.Scaling;
    }
    return readyStages > 0 && notReady.isEmpty() ? Phase.Live : Phase.Pending;
  }

  /**
   * The whole next status: what this reconcile observed, else what the previous status said (never the gateways'
   * audience, which is theirs to write), with the conditions, the phase and the observed generation.
   */
  LiveBroadcastStatus status() {
    LiveBroadcastStatus next = new LiveBroadcastStatus();
    if (previousStatus != null) {
      next.setViewers(previousStatus.getViewers());
      next.setWaiting(previousStatus.getWaiting());
      next.setDesiredStages(previousStatus.getDesiredStages());
      next.setReadyStages(previousStatus.getReadyStages());
      next.setLastScaleTime(previousStatus.getLastScaleTime());
      next.setStages(previousStatus.getStages());
    }
    if (observed != null) {
      next.setViewers(observed.decision().viewers());
      next.setWaiting(observed.decision().waiting());
      next.setDesiredStages(observed.decision().desiredStages());
      next.setReadyStages(observed.stages().active());
      if (observed.scaled()) {
        next.setLastScaleTime(BroadcastStages.timestamp(now));
      }
      next.setStages(observed.stages().list());
    }
    next.setConditions(conditions());
    next.setPhase(phase(observed != null ? observed.stages().active() : previousPhaseReady()).name());
    next.setObservedGeneration(generation);
    return next;
  }

  /** Without a fresh look at the stages (an invalid spec, a failed IVS call), the ready count the status had. */
  private int previousPhaseReady() {
    Integer ready = previousStatus == null ? null : previousStatus.getReadyStages();
    return ready == null ? 0 : ready;
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
