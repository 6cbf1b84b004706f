package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.operator.IvsRegions.IvsRegion;
import dev.stagefleet.scaling.ScalingDecision;
import dev.stagefleet.scaling.ScalingPolicy;
import dev.stagefleet.scaling.ScalingSettings;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles each LiveBroadcast into IVS stages, in the order of Flink's deployment controller: validate the spec
 * ({@link SpecCheck}), observe ({@link StageObserver}), decide (the pure {@link ScalingPolicy}), act
 * ({@link ReplicationKeeper}, {@link StageActions}), record (the whole status from {@link ConditionAggregator},
 * Events), and schedule the next look. The finalizer deletes, or retains, the stages ({@link StageRelease}).
 *
 * <p>Event processing is not generation-aware: a gateway's audience report (a status change) triggers a reconcile,
 * so stages follow the audience within seconds. The operator's own status writes change nothing on the next look,
 * so they settle at once.
 */
@ControllerConfiguration(name = LiveBroadcastReconciler.NAME, finalizerName = LiveBroadcast.FINALIZER,
    generationAwareEventProcessing = false)
public final class LiveBroadcastReconciler implements Reconciler<LiveBroadcast>, Cleaner<LiveBroadcast> {
  public static final String NAME = "livebroadcast";
  private static final Logger LOG = LoggerFactory.getLogger(LiveBroadcastReconciler.class);
  private static final Duration SOONEST = Duration.ofMillis(100);

  private final OperatorSettings settings;
  private final IvsRegions regions;
  private final Clock clock;
  private final ScalingPolicy policy;
  private final ParticipantSampler sampler;
  private final StageObserver observer;
  private final StageActions actions;
  private final ReplicationKeeper replication;
  private final StageRelease release;
  private final SpecCheck specCheck;
  private final StatusRecorder statusRecorder;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Map<String, BroadcastMemory> memory = new ConcurrentHashMap<>();
  private final Leadership leadership;

  /** The reconciler with every collaborator given, so a test can drive {@link #reconcile} with fakes. */
  LiveBroadcastReconciler(OperatorSettings settings, IvsRegions regions, ParticipantSampler sampler,
      EventRecorder events, StatusRecorder statusRecorder, StageActions actions, ReplicationKeeper replication,
      ScalingPolicy policy, OperatorMetrics metrics, Clock clock, Leadership leadership) {
    this.settings = settings;
    this.regions = regions;
    this.sampler = sampler;
    this.events = events;
    this.statusRecorder = statusRecorder;
    this.actions = actions;
    this.replication = replication;
    this.policy = policy;
    this.metrics = metrics;
    this.clock = clock;
    this.leadership = leadership;
    this.observer = new StageObserver(settings.clusterId(), events, sampler);
    this.specCheck = new SpecCheck(regions, events);
    this.release = new StageRelease(settings.clusterId(), regions, replication, events, leadership);
  }

  @Override
  public UpdateControl<LiveBroadcast> reconcile(LiveBroadcast broadcast, Context<LiveBroadcast> context) {
    // the pass's Events are sent after its status write, which carries what the gateways act on
    try (EventRecorder.Pass pass = events.pass()) {
      leadership.check();
      return reconcileAsLeader(broadcast, context);
    } catch (Leadership.Lost e) {
      // the Lease was lost and the process is exiting: the next leader reconciles this broadcast
      return UpdateControl.noUpdate();
    }
  }

  private UpdateControl<LiveBroadcast> reconcileAsLeader(LiveBroadcast broadcast, Context<LiveBroadcast> context) {
    Instant now = clock.instant();
    BroadcastMemory remembered = memory.computeIfAbsent(uid(broadcast), uid -> new BroadcastMemory());
    ConditionAggregator status = ConditionAggregator.of(broadcast, now);
    specCheck.reportUnreadable(broadcast, remembered);

    List<String> violations = specCheck.violations(broadcast);
    if (!violations.isEmpty()) {
      return invalidSpec(broadcast, context, status, violations);
    }
    IvsRegion region = regions.region(broadcast.getSpec().getRegion()).orElseThrow();
    BroadcastStages stages;
    try {
      stages = observer.observe(broadcast, region, now);
    } catch (IvsException e) {
      return ivsFailed(broadcast, context, status, remembered, e);
    }
    ScalingDecision decision = policy.decide(ScalingSettings.of(broadcast.getSpec()), stages.forPolicy(now),
        AudienceReports.freshWaiting(broadcast.getStatus(), now), remembered.scaleDownWindow, now);
    remembered.scaleDownWindow = decision.scaleDownWindow().orElse(null);
    ReplicationKeeper.Outcome fanOut = replication.keep(broadcast, region, stages, decision.toDelete(), now);
    StageActions.Outcome outcome = actions.apply(broadcast, region, stages, decision, remembered, now);
    if (fanOut.failure() != null) {
      status.degraded(ConditionTypes.REASON_REPLICATION_FAILED, fanOut.failure());
    }
    status.stages(broadcast.getSpec(), stages, decision, outcome);
    if (outcome.failure() != null) {
      IvsFailure failure = IvsFailure.of(outcome.failure());
      status.degraded(failure);
      events.warning(broadcast, failure.reason(), failure.message());
    }
    // a Warning when saturation starts, so the person running the broadcast knows to raise maxStages
    status.newlySaturated().ifPresent(message -> events.warning(broadcast, EventRecorder.SATURATED, message));
    writeStatus(broadcast, status, context);
    metrics.recordBroadcast(uid(broadcast), stages.active(), stages.draining(), decision.viewers());
    Duration next = nextLook(decision, outcome, stages, remembered, region, now);
    return UpdateControl.<LiveBroadcast>noUpdate()
        .rescheduleAfter(fanOut.recheckIn() == null ? next : Collections.min(List.of(next, fanOut.recheckIn())));
  }

  private Duration nextLook(ScalingDecision decision, StageActions.Outcome outcome, BroadcastStages stages,
      BroadcastMemory remembered, IvsRegion region, Instant now) {
    if (outcome.failure() != null) {
      remembered.ivsFailures++;
      return backoff(remembered);
    }
    remembered.ivsFailures = 0;
    if (outcome.createsCapped()) {
      return SOONEST;
    }
    List<Duration> candidates = new ArrayList<>(List.of(settings.resyncInterval()));
    decision.nextReview().ifPresent(review -> candidates.add(Duration.between(now, review)));
    var pause = remembered.quotaPause;
    if (outcome.quotaMessage() != null && pause != null) {
      candidates.add(Duration.between(now, pause.until()));
    }
    if (outcome.createsDeferred() || stages.active() < decision.desiredStages()) {
      candidates.add(region.inventory().refreshInterval());
    }
    Duration next = Collections.min(candidates);
    return next.compareTo(SOONEST) < 0 ? SOONEST : next;
  }

  private UpdateControl<LiveBroadcast> invalidSpec(LiveBroadcast broadcast, Context<LiveBroadcast> context,
      ConditionAggregator status, List<String> violations) {
    String message = String.join("; ", violations);
    status.degraded(ConditionTypes.REASON_INVALID_SPEC, message);
    events.warning(broadcast, EventRecorder.INVALID_SPEC, message);
    writeStatus(broadcast, status, context);
    // Nothing to retry: the next spec change triggers a reconcile.
    return UpdateControl.noUpdate();
  }

  private UpdateControl<LiveBroadcast> ivsFailed(LiveBroadcast broadcast, Context<LiveBroadcast> context,
      ConditionAggregator status, BroadcastMemory remembered, IvsException e) {
    remembered.ivsFailures++;
    LOG.debug("IVS failed for {}/{}: {}", broadcast.getMetadata().getNamespace(), broadcast.getMetadata().getName(),
        e.getMessage());
    IvsFailure failure = IvsFailure.of(e);
    status.degraded(failure);
    events.warning(broadcast, failure.reason(), failure.message());
    writeStatus(broadcast, status, context);
    return UpdateControl.<LiveBroadcast>noUpdate().rescheduleAfter(backoff(remembered));
  }

  /**
   * Deletes every stage of the broadcast, or with the {@code retain} policy retags them as no longer managed, then
   * lets the resource go. IVS failures keep the finalizer and retry with backoff.
   */
  @Override
  public DeleteControl cleanup(LiveBroadcast broadcast, Context<LiveBroadcast> context) {
    try {
      leadership.check();
      return cleanupAsLeader(broadcast, context);
    } catch (Leadership.Lost e) {
      return DeleteControl.noFinalizerRemoval();
    }
  }

  private DeleteControl cleanupAsLeader(LiveBroadcast broadcast, Context<LiveBroadcast> context) {
    String uid = uid(broadcast);
    BroadcastMemory remembered = memory.computeIfAbsent(uid, u -> new BroadcastMemory());
    boolean retain = broadcast.retainsStagesOnDelete();
    try {
      release.releaseAll(broadcast, retain);
    } catch (IvsException e) {
      remembered.ivsFailures++;
      IvsFailure failure = IvsFailure.of(e);
      events.warning(broadcast, failure.reason(), "Cannot release the stages yet: " + failure.message());
      writeStatus(broadcast, ConditionAggregator.of(broadcast, clock.instant()).deleting(retain).degraded(failure),
          context);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(backoff(remembered));
    }
    memory.remove(uid);
    sampler.untrack(uid);
    metrics.forgetBroadcast(uid);
    return DeleteControl.defaultDelete();
  }

  /** Writes the status, unless the Lease was lost meanwhile: then what this pass saw is no longer ours to record. */
  private void writeStatus(LiveBroadcast broadcast, ConditionAggregator status, Context<LiveBroadcast> context) {
    leadership.check();
    statusRecorder.record(broadcast, status.status(), context);
  }

  private Duration backoff(BroadcastMemory remembered) {
    return BroadcastMemory.backoff(remembered.ivsFailures, settings.retryBackoff(), settings.maxRetryBackoff());
  }

  private static String uid(LiveBroadcast broadcast) {
    return broadcast.getMetadata().getUid();
  }
}
