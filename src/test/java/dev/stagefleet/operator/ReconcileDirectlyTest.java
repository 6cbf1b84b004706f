package dev.stagefleet.operator;

import static dev.stagefleet.operator.Broadcasts.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.scaling.ScalingPolicy;
import dev.stagefleet.testing.ManualClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link LiveBroadcastReconciler#reconcile} called directly with fakes (in-memory IVS, recording status and Event
 * writers, a Context it must not need), as Flink's controller tests do: no API server, no operator runtime.
 */
@Tag("unit")
class ReconcileDirectlyTest {
  static final String REGION = "us-east-1";

  final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
  final InMemoryIvs ivs = new InMemoryIvs(REGION);
  final List<LiveBroadcastStatus> written = new ArrayList<>();
  final List<String> events = new ArrayList<>();
  /** Status writes and Events handed to the Event writer, in the order they happened. */
  final List<String> writes = new ArrayList<>();
  final OperatorSettings settings = OperatorSettings.builder().clusterId("direct").build();

  final StatusRecorder statusRecorder = new StatusRecorder(null) {
    @Override
    public LiveBroadcast record(LiveBroadcast broadcast, LiveBroadcastStatus next, Context<LiveBroadcast> context) {
      written.add(next);
      writes.add("status");
      broadcast.setStatus(next);
      return broadcast;
    }
  };
  final EventRecorder eventRecorder = new EventRecorder(null, clock, event -> writes.add("event")) {
    @Override
    public void normal(LiveBroadcast broadcast, String reason, String message) {
      events.add(reason);
      super.normal(broadcast, reason, message);
    }

    @Override
    public void warning(LiveBroadcast broadcast, String reason, String message) {
      events.add(reason);
      super.warning(broadcast, reason, message);
    }
  };
  final Leadership leadership = Leadership.unelected();
  final LiveBroadcastReconciler reconciler = new LiveBroadcastReconciler(settings,
      new IvsRegions(REGION, region -> ivs, clock, Duration.ofSeconds(5)),
      new ParticipantSampler(clock, new CallBudget(clock, 0)), eventRecorder, statusRecorder,
      new StageActions(settings.clusterId(), new StageNames(new Random(1)), eventRecorder, Duration.ofSeconds(30),
          leadership),
      new ReplicationKeeper(settings.clusterId(), eventRecorder), new ScalingPolicy(), new OperatorMetrics(), clock, leadership);

  @SuppressWarnings("unchecked")
  static final Context<LiveBroadcast> UNUSED_CONTEXT = (Context<LiveBroadcast>) Proxy.newProxyInstance(
      Context.class.getClassLoader(), new Class<?>[] {Context.class}, (proxy, method, args) -> {
        throw new AssertionError("the reconciler needs nothing from its Context: " + method.getName());
      });

  static LiveBroadcast broadcast(LiveBroadcastSpec spec) {
    var lb = new LiveBroadcast();
    lb.setMetadata(new ObjectMetaBuilder().withNamespace("direct").withName("show").withUid("uid-1")
        .withGeneration(4L).build());
    lb.setSpec(spec);
    return lb;
  }

  @Test
  void aNewBroadcastGetsItsMinimumStagesAndOneWholeStatus() {
    var lb = broadcast(spec(10, 2, 5, 60, 60));
    var control = reconciler.reconcile(lb, UNUSED_CONTEXT);

    assertThat(ivs.stages()).hasSize(2);
    LiveBroadcastStatus status = written.get(written.size() - 1);
    assertThat(status.getStages()).extracting(StageStatus::getState).containsOnly(StageStatus.ACTIVE);
    assertThat(status.getReadyStages()).isEqualTo(2);
    assertThat(status.getDesiredStages()).isEqualTo(2);
    assertThat(status.getObservedGeneration()).isEqualTo(4L);
    assertThat(status.getLastScaleTime()).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(status.getPhase()).as("stages were just added").isEqualTo("Scaling");
    assertThat(events).contains(EventRecorder.STAGE_CREATED, EventRecorder.SCALED_UP);
    assertThat(writes).as("the Events go out after the status the gateways hand the stages out from")
        .startsWith("status", "event");
    assertThat(control.getScheduleDelay()).isPresent();

    clock.advance(Duration.ofSeconds(1));
    reconciler.reconcile(lb, UNUSED_CONTEXT);
    status = written.get(written.size() - 1);
    assertThat(ivs.stages()).as("the stages the status knows are not created again").hasSize(2);
    assertThat(status.getPhase()).isEqualTo("Live");
    assertThat(status.condition(ConditionTypes.READY).orElseThrow().getReason())
        .isEqualTo(ConditionTypes.REASON_STAGES_READY);
    assertThat(status.getLastScaleTime()).as("kept from the pass that scaled").isEqualTo("2026-03-01T10:00:00Z");
  }

  @Test
  void anInvalidSpecKeepsTheRestOfTheStatusAndIsDegraded() {
    var lb = broadcast(spec(10, 1, 5, 60, 60));
    reconciler.reconcile(lb, UNUSED_CONTEXT);
    lb.getSpec().setMinStages(9);
    lb.getMetadata().setGeneration(5L);
    reconciler.reconcile(lb, UNUSED_CONTEXT);

    LiveBroadcastStatus status = written.get(written.size() - 1);
    assertThat(status.getPhase()).isEqualTo("Degraded");
    assertThat(status.getObservedGeneration()).isEqualTo(5L);
    assertThat(status.condition(ConditionTypes.DEGRADED).orElseThrow().getReason())
        .isEqualTo(ConditionTypes.REASON_INVALID_SPEC);
    assertThat(status.getStages()).as("the stages stay as the last good pass saw them").hasSize(1);
    assertThat(status.getReadyStages()).isEqualTo(1);
    assertThat(ivs.stages()).hasSize(1);
  }

  @Test
  void viewersWaitingBeyondMaxStagesMakeTheBroadcastSaturatedWithOneWarning() {
    var lb = broadcast(spec(10, 1, 1, 60, 60));
    reconciler.reconcile(lb, UNUSED_CONTEXT);
    String stageId = written.get(written.size() - 1).getStages().get(0).getId();

    for (int pass = 0; pass < 2; pass++) {
      clock.advance(Duration.ofSeconds(1));
      var report = new LiveBroadcastStatus.AudienceReport(Map.of(stageId, 10), clock.instant().toString());
      report.setWaiting(5);
      lb.getStatus().setAudience(Map.of("gateway-0", report));
      reconciler.reconcile(lb, UNUSED_CONTEXT);
    }

    LiveBroadcastStatus status = written.get(written.size() - 1);
    assertThat(status.getWaiting()).isEqualTo(5);
    assertThat(status.getViewers()).isEqualTo(10);
    var saturated = status.condition(ConditionTypes.SATURATED).orElseThrow();
    assertThat(saturated.getStatus()).isEqualTo("True");
    assertThat(saturated.getReason()).isEqualTo(ConditionTypes.REASON_AT_MAX_STAGES);
    assertThat(saturated.getMessage()).contains("5 viewers are waiting", "raise spec.maxStages");
    assertThat(events).as("one Warning when saturation starts, none while it lasts")
        .containsOnlyOnce(EventRecorder.SATURATED);
  }
}
