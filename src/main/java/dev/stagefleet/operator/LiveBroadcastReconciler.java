package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.api.v1alpha1.Phase;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.operator.IvsRegions.IvsRegion;
import dev.stagefleet.scaling.ScalingDecision;
import dev.stagefleet.scaling.ScalingPolicy;
import dev.stagefleet.scaling.ScalingSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles each LiveBroadcast into IVS stages, in the order of Flink's deployment controller: validate the spec,
 * observe (the shared stage inventory and the audience), decide (the pure {@link ScalingPolicy}), act (IVS),
 * record (status, conditions, Events), and schedule the next look. The finalizer deletes, or retains, the stages.
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
  private final ScalingPolicy policy = new ScalingPolicy();
  private final ParticipantSampler sampler;
  private final StageActions actions;
  private final ReplicationKeeper replication;
  private final StatusRecorder statusRecorder;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Map<String, BroadcastMemory> memory = new ConcurrentHashMap<>();
  private final Leadership leadership;

  LiveBroadcastReconciler(OperatorSettings settings, IvsRegions regions, ParticipantSampler sampler,
      KubernetesClient client, OperatorMetrics metrics, Clock clock, RandomGenerator random, Leadership leadership) {
    this.settings = settings;
    this.leadership = leadership;
    this.regions = regions;
    this.clock = clock;
    this.metrics = metrics;
    this.sampler = sampler;
    this.events = new EventRecorder(client, clock);
    this.statusRecorder = new StatusRecorder(client);
    this.replication = new ReplicationKeeper(settings.clusterId(), events);
    this.actions = new StageActions(settings.clusterId(), new StageNames(random), events,
        settings.quotaBackoff(), leadership);
  }

  @Override
  public UpdateControl<LiveBroadcast> reconcile(LiveBroadcast broadcast, Context<LiveBroadcast> context) {
    try {
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
    ConditionAggregator conditions = conditionsFor(broadcast, now);
    reportUnreadable(broadcast, remembered);

    List<String> violations = validate(broadcast);
    if (!violations.isEmpty()) {
      return invalidSpec(broadcast, context, conditions, violations);
    }
    IvsRegion region = regions.region(broadcast.getSpec().getRegion()).orElseThrow();
    BroadcastStages stages;
    try {
      stages = observe(broadcast, region, now);
    } catch (IvsException e) {
      return ivsFailed(broadcast, context, conditions, remembered, e);
    }
    ScalingDecision decision = policy.decide(ScalingSettings.of(broadcast.getSpec()), stages.forPolicy(now),
        AudienceReports.freshWaiting(broadcast.getStatus(), now), remembered.scaleDownWindow, now);
    remembered.scaleDownWindow = decision.scaleDownWindow().orElse(null);
    ReplicationKeeper.Outcome fanOut = replication.keep(broadcast, region, stages, decision.toDelete(), now);
    StageActions.Outcome outcome = actions.apply(broadcast, region, stages, decision, remembered, now);
    if (fanOut.failure() != null) {
      conditions.degraded(ReplicationKeeper.FAILED, fanOut.failure());
    }
    record(broadcast, context, conditions, stages, decision, outcome, now);
    Duration next = nextLook(decision, outcome, stages, remembered, region, now);
    return UpdateControl.<LiveBroadcast>noUpdate()
        .rescheduleAfter(fanOut.recheckIn() == null ? next : shorter(next, fanOut.recheckIn()));
  }

  /**
   * One log line (and for a status, a Warning Event; a spec gets its InvalidSpec Event) when the stored object has a
   * value of the wrong type, and again only when that changes. An unreadable spec is never acted on; an unreadable
   * status is written afresh from what IVS has.
   */
  private void reportUnreadable(LiveBroadcast broadcast, BroadcastMemory remembered) {
    var spec = broadcast.getSpec() == null ? null : broadcast.getSpec().unreadableBecause().orElse(null);
    var status = broadcast.getStatus() == null ? null : broadcast.getStatus().unreadableBecause().orElse(null);
    String why = spec == null ? status : status == null ? spec : spec + "; " + status;
    String before = remembered.unreadable;
    remembered.unreadable = why;
    if (why == null || why.equals(before)) {
      return;
    }
    LOG.warn("LiveBroadcast {}/{} cannot be read ({}); {}", broadcast.getMetadata().getNamespace(),
        broadcast.getMetadata().getName(), why,
        spec != null ? "leaving its stages as they are until the spec is fixed" : "rewriting its status");
    if (spec == null) {
      events.warning(broadcast, EventRecorder.UNREADABLE_STATUS, "the status cannot be read and is written afresh: "
          + status);
    }
  }

  /** Every violation of the spec, plus a region this operator cannot serve. */
  private List<String> validate(LiveBroadcast broadcast) {
    if (broadcast.getSpec() == null) {
      return List.of("spec is required");
    }
    List<String> violations = new ArrayList<>(broadcast.getSpec().validate());
    if (violations.isEmpty() && regions.region(broadcast.getSpec().getRegion()).isEmpty()) {
      violations.add("spec.region \"" + broadcast.getSpec().getRegion() + "\" is not served by this operator (it serves "
          + regions.defaultRegion() + ")");
    }
    return violations;
  }

  /**
   * The broadcast's stages as they really are: those in the inventory tagged as its own, whether or not the status
   * knows them yet (adopting a stage created just before a crash), with the observed audience of each.
   */
  private BroadcastStages observe(LiveBroadcast broadcast, IvsRegion region, Instant now) {
    StageInventory inventory = region.inventory();
    List<IvsService.Stage> owned = inventory.view().ownedBy(settings.clusterId(), uid(broadcast));
    Set<String> ownedArns = owned.stream().map(IvsService.Stage::arn).collect(Collectors.toSet());
    LiveBroadcastStatus status = broadcast.getStatus();
    BroadcastStages stages = BroadcastStages.of(status == null ? List.of() : status.stagesOrEmpty());
    for (StageStatus known : stages.list()) {
      if (!ownedArns.contains(known.getArn())) {
        stages.remove(known.getId());
        // a status read before our own last write still lists a stage we deleted: nothing to report then
        if (!inventory.deletedRecently(known.getArn())) {
          events.warning(broadcast, EventRecorder.STAGE_VANISHED, "Stage " + known.getId()
              + " no longer exists in IVS with this broadcast's tags; removed from the status");
        }
      }
    }
    for (IvsService.Stage stage : owned) {
      if (stages.containsArn(stage.arn())) {
        continue;
      }
      // ListStages leaves out endpoints, and the gateways need them to mint tokens.
      Optional<IvsService.Stage> described = stage.endpoints() != null ? Optional.of(stage)
          : region.ivs().getStage(stage.arn());
      if (described.isEmpty()) {
        inventory.recordDeleted(stage.arn());
        continue;
      }
      stages.add(described.get(), now);
      // a stage this process just created and a status read before that write: ours already, not an adoption
      if (!inventory.createdRecently(stage.arn())) {
        events.normal(broadcast, EventRecorder.ADOPTED, "Adopted stage " + stage.id()
            + ", found in IVS with this broadcast's tags but missing from its status");
      }
    }
    Map<String, Integer> reported = AudienceReports.freshViewers(status, now);
    List<String> arns = stages.list().stream().map(StageStatus::getArn).toList();
    // the inventory's entries carry each stage's active session, which is all a sample needs besides the ARN
    sampler.track(uid(broadcast), region.ivs(), owned.stream().filter(s -> stages.containsArn(s.arn())).toList());
    Map<String, Integer> sampled = sampler.fresh(arns);
    Instant reportedAt = AudienceReports.countedAt(status, now).orElse(null);
    for (StageStatus stage : stages.list()) {
      stages.setViewers(stage.getId(),
          AudienceObserver.observed(reported.get(stage.getId()), reportedAt, sampled.get(stage.getArn()),
              sampler.sampledAt(stage.getArn()).orElse(null)),
          AudienceObserver.countedAt(reportedAt, sampler.sampledAt(stage.getArn()).orElse(null)));
    }
    return stages;
  }

  private void record(LiveBroadcast broadcast, Context<LiveBroadcast> context, ConditionAggregator conditions,
      BroadcastStages stages, ScalingDecision decision, StageActions.Outcome outcome, Instant now) {
    int ready = stages.active();
    int desired = decision.desiredStages();
    conditions.readyMessage(StageActions.count(ready, "active stage") + " for "
        + StageActions.count(decision.viewers(), "viewer"));
    if (outcome.quotaMessage() != null) {
      conditions.degraded(ConditionTypes.REASON_QUOTA_EXCEEDED,
          outcome.quotaMessage() + "; stage creation is paused and retried with backoff");
    }
    if (outcome.failure() != null) {
      IvsFailure failure = IvsFailure.of(outcome.failure());
      conditions.degraded(failure.reason(), failure.message());
      events.warning(broadcast, failure.reason(), failure.message());
    }
    if (ready < desired) {
      conditions.notReady("StagesPending", ready + " of " + desired + " desired stages are active");
      conditions.scaling("ScalingUp", "Adding stages: " + ready + " of " + desired + " active");
    } else if (outcome.scaledUp()) {
      conditions.scaling("ScalingUp", "Added " + (outcome.created() + outcome.reactivated()) + " stages");
    }
    if (stages.draining() > 0) {
      conditions.scaling("Draining", stages.draining() + " stages draining; each is deleted when empty or after "
          + broadcast.getSpec().getScaling().getDrainTimeoutSeconds() + " s");
    } else if (decision.scaleDownWindow().isPresent()) {
      var window = decision.scaleDownWindow().get();
      conditions.stable("ScaleDownStabilizing", "The audience needs " + desired + " of " + ready
          + " active stages; surplus stages drain at "
          + BroadcastStages.timestamp(window.since().plusSeconds(
              broadcast.getSpec().getScaling().getScaleDownStabilizationSeconds()))
          + " unless the audience returns");
    }

    saturation(broadcast, conditions, decision);
    LiveBroadcastStatus next = statusFrom(broadcast);
    next.setViewers(decision.viewers());
    next.setWaiting(decision.waiting());
    next.setDesiredStages(desired);
    next.setReadyStages(ready);
    if (outcome.created() + outcome.reactivated() + outcome.drained() > 0) {
      next.setLastScaleTime(BroadcastStages.timestamp(now));
    }
    next.setStages(stages.list());
    next.setConditions(conditions.build());
    next.setPhase(conditions.phase(ready).name());
    writeStatus(broadcast, next, context);
    metrics.recordBroadcast(uid(broadcast), ready, stages.draining(), decision.viewers());
  }

  /** Saturated, and a Warning when it starts, so the person running the broadcast knows to raise maxStages. */
  private void saturation(LiveBroadcast broadcast, ConditionAggregator conditions, ScalingDecision decision) {
    ScalingSettings limits = ScalingSettings.of(broadcast.getSpec());
    if (!decision.saturated(limits)) {
      return;
    }
    String message = decision.waiting() + " viewers are waiting for a seat and maxStages (" + limits.maxStages()
        + " stages of " + limits.viewersPerStage() + ") bounds the broadcast; raise spec.maxStages to seat them";
    conditions.saturated("AtMaxStages", message);
    boolean wasSaturated = broadcast.getStatus() != null && broadcast.getStatus().condition(ConditionTypes.SATURATED)
        .map(c -> ConditionAggregator.TRUE.equals(c.getStatus())).orElse(false);
    if (!wasSaturated) {
      events.warning(broadcast, EventRecorder.SATURATED, message);
    }
  }

  private Duration nextLook(ScalingDecision decision, StageActions.Outcome outcome, BroadcastStages stages,
      BroadcastMemory remembered, IvsRegion region, Instant now) {
    if (outcome.failure() != null) {
      remembered.ivsFailures++;
      return BroadcastMemory.backoff(remembered.ivsFailures, settings.retryBackoff(), settings.maxRetryBackoff());
    }
    remembered.ivsFailures = 0;
    if (outcome.createsCapped()) {
      return SOONEST;
    }
    Duration next = settings.resyncInterval();
    if (decision.nextReview().isPresent()) {
      next = shorter(next, Duration.between(now, decision.nextReview().get()));
    }
    var pause = remembered.quotaPause;
    if (outcome.quotaMessage() != null && pause != null) {
      next = shorter(next, Duration.between(now, pause.until()));
    }
    if (outcome.createsDeferred() || stages.active() < decision.desiredStages()) {
      next = shorter(next, region.inventory().refreshInterval());
    }
    return next.compareTo(SOONEST) < 0 ? SOONEST : next;
  }

  private UpdateControl<LiveBroadcast> invalidSpec(LiveBroadcast broadcast, Context<LiveBroadcast> context,
      ConditionAggregator conditions, List<String> violations) {
    String message = String.join("; ", violations);
    conditions.degraded(ConditionTypes.REASON_INVALID_SPEC, message);
    events.warning(broadcast, EventRecorder.INVALID_SPEC, message);
    LiveBroadcastStatus next = statusFrom(broadcast);
    next.setConditions(conditions.build());
    next.setPhase(Phase.Degraded.name());
    writeStatus(broadcast, next, context);
    // Nothing to retry: the next spec change triggers a reconcile.
    return UpdateControl.noUpdate();
  }

  private UpdateControl<LiveBroadcast> ivsFailed(LiveBroadcast broadcast, Context<LiveBroadcast> context,
      ConditionAggregator conditions, BroadcastMemory remembered, IvsException e) {
    remembered.ivsFailures++;
    LOG.debug("IVS failed for {}/{}: {}", broadcast.getMetadata().getNamespace(), broadcast.getMetadata().getName(),
        e.getMessage());
    IvsFailure failure = IvsFailure.of(e);
    conditions.degraded(failure.reason(), failure.message());
    events.warning(broadcast, failure.reason(), failure.message());
    LiveBroadcastStatus next = statusFrom(broadcast);
    next.setConditions(conditions.build());
    next.setPhase(Phase.Degraded.name());
    writeStatus(broadcast, next, context);
    return UpdateControl.<LiveBroadcast>noUpdate().rescheduleAfter(
        BroadcastMemory.backoff(remembered.ivsFailures, settings.retryBackoff(), settings.maxRetryBackoff()));
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
    Instant now = clock.instant();
    BroadcastMemory remembered = memory.computeIfAbsent(uid, u -> new BroadcastMemory());
    boolean retain = broadcast.retainsStagesOnDelete();
    ConditionAggregator conditions = conditionsFor(broadcast, now)
        .notReady("Deleting", "The broadcast is being deleted; its stages are " + (retain ? "retained" : "deleted"));
    try {
      regions.region(broadcast.getSpec() == null ? null : broadcast.getSpec().getRegion())
          .ifPresent(region -> replication.release(broadcast, region));
      for (IvsRegion region : regionsOf(broadcast)) {
        for (IvsService.Stage stage : region.inventory().view().ownedBy(settings.clusterId(), uid)) {
          release(broadcast, region, stage, retain);
        }
      }
    } catch (IvsException e) {
      remembered.ivsFailures++;
      IvsFailure failure = IvsFailure.of(e);
      conditions.degraded(failure.reason(), failure.message());
      events.warning(broadcast, failure.reason(), "Cannot release the stages yet: " + failure.message());
      writeDeleting(broadcast, context, conditions);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(
          BroadcastMemory.backoff(remembered.ivsFailures, settings.retryBackoff(), settings.maxRetryBackoff()));
    }
    memory.remove(uid);
    sampler.untrack(uid);
    metrics.forgetBroadcast(uid);
    return DeleteControl.defaultDelete();
  }

  private void release(LiveBroadcast broadcast, IvsRegion region, IvsService.Stage stage, boolean retain) {
    leadership.check();
    if (retain) {
      try {
        region.ivs().tagResource(stage.arn(), Map.of(StageTags.MANAGED_BY, StageTags.RETAINED));
      } catch (UnsupportedOperationException e) {
        LOG.warn("stage {} is retained but could not be retagged ({}); after a restart it may be collected as an"
            + " orphan", stage.arn(), e.getMessage());
      }
      region.inventory().release(stage.arn());
      events.normal(broadcast, EventRecorder.STAGES_RETAINED, "Retained stage " + stage.id()
          + " (deletion policy retain); StageFleet no longer manages it");
    } else {
      region.ivs().deleteStage(stage.arn());
      region.inventory().recordDeleted(stage.arn());
      events.normal(broadcast, EventRecorder.STAGE_DELETED, "Deleted stage " + stage.id()
          + " because the broadcast was deleted");
    }
  }

  private void writeDeleting(LiveBroadcast broadcast, Context<LiveBroadcast> context, ConditionAggregator conditions) {
    LiveBroadcastStatus next = statusFrom(broadcast);
    next.setConditions(conditions.build());
    next.setPhase(Phase.Deleting.name());
    writeStatus(broadcast, next, context);
  }

  /** Writes the status, unless the Lease was lost meanwhile: then what this pass saw is no longer ours to record. */
  private void writeStatus(LiveBroadcast broadcast, LiveBroadcastStatus next, Context<LiveBroadcast> context) {
    leadership.check();
    statusRecorder.record(broadcast, next, context);
  }

  /** The broadcast's region and every other region in use, since its region may have changed. */
  private List<IvsRegion> regionsOf(LiveBroadcast broadcast) {
    Set<IvsRegion> all = new LinkedHashSet<>();
    String region = broadcast.getSpec() == null ? null : broadcast.getSpec().getRegion();
    regions.region(region).ifPresent(all::add);
    all.addAll(regions.inUse());
    return List.copyOf(all);
  }

  private ConditionAggregator conditionsFor(LiveBroadcast broadcast, Instant now) {
    LiveBroadcastStatus status = broadcast.getStatus();
    return new ConditionAggregator(status == null ? null : status.getConditions(),
        broadcast.getMetadata().getGeneration(), now);
  }

  /** A copy of the current status without the gateways' audience, stamped with the observed generation. */
  private static LiveBroadcastStatus statusFrom(LiveBroadcast broadcast) {
    LiveBroadcastStatus previous = broadcast.getStatus();
    LiveBroadcastStatus next = new LiveBroadcastStatus();
    if (previous != null) {
      next.setPhase(previous.getPhase());
      next.setViewers(previous.getViewers());
      next.setWaiting(previous.getWaiting());
      next.setDesiredStages(previous.getDesiredStages());
      next.setReadyStages(previous.getReadyStages());
      next.setLastScaleTime(previous.getLastScaleTime());
      next.setStages(previous.getStages());
    }
    next.setObservedGeneration(broadcast.getMetadata().getGeneration());
    return next;
  }

  private static Duration shorter(Duration a, Duration b) {
    return b.compareTo(a) < 0 ? b : a;
  }

  static String describe(IvsException e) {
    return "IVS " + e.errorCode() + (e.statusCode() > 0 ? " (" + e.statusCode() + ")" : "") + ": " + e.getMessage();
  }

  private static String uid(LiveBroadcast broadcast) {
    return broadcast.getMetadata().getUid();
  }
}
