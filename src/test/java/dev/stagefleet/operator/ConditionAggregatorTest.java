package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ConditionAggregatorTest {
  static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  static final Instant T1 = Instant.parse("2026-01-01T10:05:00.750Z");

  static Condition of(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void isReadyWhenNothingIsReportedAndListsReadyFirst() {
    var conditions = new ConditionAggregator(null, 3L, T0).conditions();
    assertThat(conditions).extracting(Condition::getType)
        .containsExactly(ConditionTypes.READY, ConditionTypes.SCALING, ConditionTypes.DEGRADED,
            ConditionTypes.SATURATED);
    assertThat(conditions).extracting(Condition::getStatus).containsExactly("True", "False", "False", "False");
    assertThat(conditions).allSatisfy(c -> {
      assertThat(c.getObservedGeneration()).isEqualTo(3L);
      assertThat(c.getReason()).isNotBlank();
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
    });
  }

  @Test
  void degradedWinsOverNotReadyAndTheFirstReasonIsKept() {
    var aggregator = new ConditionAggregator(null, 1L, T0)
        .notReady("StagesPending", "1 of 3")
        .degraded(ConditionTypes.REASON_QUOTA_EXCEEDED, "no more stages")
        .degraded(ConditionTypes.REASON_IVS_UNAVAILABLE, "later problem");
    var conditions = aggregator.conditions();
    assertThat(of(conditions, ConditionTypes.READY).getStatus()).isEqualTo("False");
    assertThat(of(conditions, ConditionTypes.READY).getReason()).isEqualTo(ConditionTypes.REASON_QUOTA_EXCEEDED);
    assertThat(of(conditions, ConditionTypes.DEGRADED).getStatus()).isEqualTo("True");
    assertThat(of(conditions, ConditionTypes.DEGRADED).getMessage()).isEqualTo("no more stages");
    assertThat(aggregator.phase(1)).isEqualTo(Phase.Degraded);
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenTheStatusChanges() {
    var first = new ConditionAggregator(null, 1L, T0).scaling("ScalingUp", "adding").conditions();
    var second = new ConditionAggregator(first, 2L, T1).scaling("Draining", "other reason, same status").conditions();
    assertThat(of(second, ConditionTypes.SCALING).getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
    assertThat(of(second, ConditionTypes.SCALING).getReason()).isEqualTo("Draining");
    assertThat(of(second, ConditionTypes.SCALING).getObservedGeneration()).isEqualTo(2L);

    var third = new ConditionAggregator(second, 2L, T1).conditions();
    assertThat(of(third, ConditionTypes.SCALING).getStatus()).isEqualTo("False");
    assertThat(of(third, ConditionTypes.SCALING).getLastTransitionTime()).isEqualTo("2026-01-01T10:05:00Z");
    assertThat(of(third, ConditionTypes.READY).getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
  }

  @Test
  void phaseFollowsTheConditions() {
    assertThat(new ConditionAggregator(null, 1L, T0).phase(2)).isEqualTo(Phase.Live);
    assertThat(new ConditionAggregator(null, 1L, T0).phase(0)).isEqualTo(Phase.Pending);
    assertThat(new ConditionAggregator(null, 1L, T0).scaling("ScalingUp", "x").phase(2)).isEqualTo(Phase.Scaling);
    assertThat(new ConditionAggregator(null, 1L, T0).notReady("StagesPending", "x").phase(2)).isEqualTo(Phase.Pending);
  }

  @Test
  void aStableExplanationReplacesTheDefault() {
    var conditions = new ConditionAggregator(null, 1L, T0).stable("ScaleDownStabilizing", "waiting").conditions();
    assertThat(of(conditions, ConditionTypes.SCALING).getReason()).isEqualTo("ScaleDownStabilizing");
    assertThat(of(conditions, ConditionTypes.SCALING).getStatus()).isEqualTo("False");
  }
}
