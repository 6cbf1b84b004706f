package dev.stagefleet.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
class ScalingPolicyTest {
  static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  static final Duration WINDOW = Duration.ofSeconds(300);
  static final Duration DRAIN = Duration.ofSeconds(600);
  /** 50 viewers per stage at 80 % fill: another stage from 41 viewers on. */
  static final ScalingSettings SETTINGS = new ScalingSettings(50, 1, 10, 0.8, WINDOW, DRAIN);

  final ScalingPolicy policy = new ScalingPolicy();

  static ScalingStage active(String id, int viewers) {
    return ScalingStage.active(id, viewers, T0.minusSeconds(3600));
  }

  /** A draining stage whose viewers were counted at T0, after its drain began. */
  static ScalingStage draining(String id, int viewers, Instant since) {
    return ScalingStage.draining(id, viewers, T0.minusSeconds(3600), since).countedAt(T0);
  }

  @Nested
  class DesiredStages {
    @ParameterizedTest(name = "{0} viewers -> {1} stages")
    @CsvSource({"0,1", "1,1", "40,1", "41,2", "80,2", "81,3", "400,10", "401,10", "100000,10"})
    void isTheCeilingOfViewersOverTargetFillClampedToTheLimits(int viewers, int expected) {
      assertThat(ScalingPolicy.desiredStages(viewers, SETTINGS)).isEqualTo(expected);
    }

    @Test
    void neverGoesBelowMinStagesWithoutAudience() {
      var settings = new ScalingSettings(50, 3, 10, 0.8, WINDOW, DRAIN);
      assertThat(ScalingPolicy.desiredStages(0, settings)).isEqualTo(3);
    }

    @Test
    void fillsStagesCompletelyAtTargetFillOne() {
      var settings = new ScalingSettings(10, 1, 100, 1.0, WINDOW, DRAIN);
      assertThat(ScalingPolicy.desiredStages(10, settings)).isEqualTo(1);
      assertThat(ScalingPolicy.desiredStages(11, settings)).isEqualTo(2);
      assertThat(ScalingPolicy.desiredStages(1000, settings)).isEqualTo(100);
    }

    @Test
    void toleratesFloatingPointNoiseAtExactBoundaries() {
      var settings = new ScalingSettings(10, 1, 1000, 0.7, WINDOW, DRAIN);
      assertThat(ScalingPolicy.desiredStages(7, settings)).isEqualTo(1);
      assertThat(ScalingPolicy.desiredStages(70, settings)).isEqualTo(10);
      assertThat(ScalingPolicy.desiredStages(71, settings)).isEqualTo(11);
    }

    @Test
    void settingsComeFromTheSpec() {
      var spec = new LiveBroadcastSpec();
      spec.setViewersPerStage(20);
      spec.setMinStages(2);
      spec.setMaxStages(5);
      spec.getScaling().setTargetFill(0.5);
      spec.getScaling().setScaleDownStabilizationSeconds(7);
      spec.getScaling().setDrainTimeoutSeconds(9);
      assertThat(ScalingSettings.of(spec))
          .isEqualTo(new ScalingSettings(20, 2, 5, 0.5, Duration.ofSeconds(7), Duration.ofSeconds(9)));
    }

    @Test
    void rejectsInconsistentSettings() {
      assertThatThrownBy(() -> new ScalingSettings(50, 5, 4, 0.8, WINDOW, DRAIN))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new ScalingSettings(0, 1, 4, 0.8, WINDOW, DRAIN))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new ScalingSettings(50, 1, 4, 0, WINDOW, DRAIN))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class ScalingUp {
    @Test
    void createsTheMinimumForANewBroadcast() {
      var settings = new ScalingSettings(50, 2, 10, 0.8, WINDOW, DRAIN);
      var decision = policy.decide(settings, List.of(), 0, null, T0);
      assertThat(decision.stagesToCreate()).isEqualTo(2);
      assertThat(decision.desiredStages()).isEqualTo(2);
      assertThat(decision.scalesUp()).isTrue();
    }

    @Test
    void scalesUpAtOnceWhenTheAudienceGrows() {
      var decision = policy.decide(SETTINGS, List.of(active("a", 100)), 0, null, T0);
      assertThat(decision.viewers()).isEqualTo(100);
      assertThat(decision.desiredStages()).isEqualTo(3);
      assertThat(decision.stagesToCreate()).isEqualTo(2);
      assertThat(decision.toDrain()).isEmpty();
      assertThat(decision.toDelete()).isEmpty();
    }

    @Test
    void neverCreatesMoreThanMaxStages() {
      var settings = new ScalingSettings(50, 1, 3, 0.8, WINDOW, DRAIN);
      var decision = policy.decide(settings, List.of(active("a", 5000)), 0, null, T0);
      assertThat(decision.desiredStages()).isEqualTo(3);
      assertThat(decision.stagesToCreate()).isEqualTo(2);
    }

    @Test
    void reactivatesDrainingStagesBeforeCreatingNewOnes() {
      var stages = List.of(active("a", 40), draining("b", 5, T0.minusSeconds(10)), draining("c", 30, T0.minusSeconds(20)));
      var decision = policy.decide(SETTINGS, stages, 0, null, T0);
      assertThat(decision.desiredStages()).isEqualTo(2);
      assertThat(decision.toReactivate()).containsExactly("c");
      assertThat(decision.stagesToCreate()).isZero();
      assertThat(decision.toDelete()).as("b keeps draining").isEmpty();
    }

    @Test
    void reactivatesEveryDrainingStageAndCreatesTheRest() {
      var stages = List.of(active("a", 100), draining("b", 50, T0.minusSeconds(10)));
      var decision = policy.decide(SETTINGS, stages, 0, null, T0);
      assertThat(decision.desiredStages()).isEqualTo(4);
      assertThat(decision.toReactivate()).containsExactly("b");
      assertThat(decision.stagesToCreate()).isEqualTo(2);
    }

    @Test
    void anEmptyDrainingStageThatIsReactivatedIsNotDeleted() {
      var stages = List.of(active("a", 45), draining("b", 0, T0.minusSeconds(10)));
      var decision = policy.decide(SETTINGS, stages, 0, null, T0);
      assertThat(decision.toReactivate()).containsExactly("b");
      assertThat(decision.toDelete()).isEmpty();
    }

    @Test
    void scalingUpClosesAnOpenScaleDownWindow() {
      var decision = policy.decide(SETTINGS, List.of(active("a", 100)), 0, new ScaleDownWindow(T0.minusSeconds(60), 1), T0);
      assertThat(decision.scaleDownWindow()).isEmpty();
    }
  }

  @Nested
  class ScalingDown {
    final List<ScalingStage> threeQuietStages = List.of(active("a", 10), active("b", 3), active("c", 7));

    @Test
    void opensAWindowInsteadOfDrainingAtOnce() {
      var decision = policy.decide(SETTINGS, threeQuietStages, 0, null, T0);
      assertThat(decision.desiredStages()).isEqualTo(1);
      assertThat(decision.toDrain()).isEmpty();
      assertThat(decision.scaleDownWindow()).contains(new ScaleDownWindow(T0, 1));
      assertThat(decision.nextReview()).contains(T0.plus(WINDOW));
      assertThat(decision.changesStages()).isFalse();
    }

    @Test
    void scalesDownOnlyAfterTheStabilizationWindow() {
      var window = new ScaleDownWindow(T0, 1);
      var justBefore = policy.decide(SETTINGS, threeQuietStages, 0, window, T0.plus(WINDOW).minusMillis(1));
      assertThat(justBefore.toDrain()).isEmpty();
      assertThat(justBefore.scaleDownWindow()).contains(window);

      var after = policy.decide(SETTINGS, threeQuietStages, 0, window, T0.plus(WINDOW));
      assertThat(after.toDrain()).containsExactly("b", "c");
      assertThat(after.scaleDownWindow()).isEmpty();
    }

    @Test
    void drainsTheStagesWithFewestViewersFirst() {
      var stages = List.of(active("a", 1), active("b", 0), active("c", 9), active("d", 2));
      var decision = policy.decide(SETTINGS, stages, 0, new ScaleDownWindow(T0.minus(WINDOW), 1), T0);
      assertThat(decision.toDrain()).containsExactly("b", "a", "d");
    }

    @Test
    void drainsNewerStagesFirstWhenViewersTie() {
      var old = ScalingStage.active("old", 0, T0.minusSeconds(100));
      var young = ScalingStage.active("young", 0, T0.minusSeconds(10));
      var decision = policy.decide(SETTINGS, List.of(old, young), 0, new ScaleDownWindow(T0.minus(WINDOW), 1), T0);
      assertThat(decision.toDrain()).containsExactly("young");
    }

    @Test
    void drainsOnlyDownToTheHighestCountWantedDuringTheWindow() {
      var stages = List.of(active("a", 10), active("b", 3), active("c", 7), active("d", 0));
      var window = new ScaleDownWindow(T0.minus(WINDOW), 3);
      var decision = policy.decide(SETTINGS, stages, 0, window, T0);
      assertThat(decision.toDrain()).containsExactly("d");
      assertThat(decision.scaleDownWindow()).as("a fresh window for the rest").contains(new ScaleDownWindow(T0, 1));
    }

    @Test
    void remembersTheHighestCountWantedWhileTheWindowIsOpen() {
      var stages = List.of(active("a", 30), active("b", 30), active("c", 0));
      var decision = policy.decide(SETTINGS, stages, 0, new ScaleDownWindow(T0.minusSeconds(10), 1), T0);
      assertThat(decision.desiredStages()).isEqualTo(2);
      assertThat(decision.scaleDownWindow()).contains(new ScaleDownWindow(T0.minusSeconds(10), 2));
    }

    @Test
    void aZeroWindowDrainsAtOnce() {
      var settings = new ScalingSettings(50, 1, 10, 0.8, Duration.ZERO, DRAIN);
      var decision = policy.decide(settings, List.of(active("a", 5), active("b", 1)), 0, null, T0);
      assertThat(decision.toDrain()).containsExactly("b");
      assertThat(decision.toDelete()).isEmpty();
      assertThat(decision.nextReview()).contains(T0.plus(DRAIN));
    }

    @Test
    void neverDrainsBelowMinStages() {
      var settings = new ScalingSettings(50, 2, 10, 0.8, Duration.ZERO, DRAIN);
      var decision = policy.decide(settings, List.of(active("a", 0), active("b", 0), active("c", 0)), 0, null, T0);
      assertThat(decision.desiredStages()).isEqualTo(2);
      assertThat(decision.toDrain()).hasSize(1);
    }

    @Test
    void drainsActiveStagesAboveMaxStagesAtOnce() {
      var settings = new ScalingSettings(50, 1, 2, 0.8, WINDOW, DRAIN);
      var stages = List.of(active("a", 40), active("b", 40), active("c", 40), active("d", 39));
      var decision = policy.decide(settings, stages, 0, null, T0);
      assertThat(decision.desiredStages()).isEqualTo(2);
      assertThat(decision.toDrain()).as("fewest viewers, then by id").containsExactly("d", "a");
      assertThat(decision.scaleDownWindow()).isEmpty();
    }

    @Test
    void keepsTheWindowOpenWhenTheMaxStagesCapStillLeavesASurplus() {
      var settings = new ScalingSettings(50, 1, 2, 0.8, WINDOW, DRAIN);
      var stages = List.of(active("a", 1), active("b", 1), active("c", 1));
      var decision = policy.decide(settings, stages, 0, null, T0);
      assertThat(decision.toDrain()).hasSize(1);
      assertThat(decision.scaleDownWindow()).contains(new ScaleDownWindow(T0, 1));
    }

    @Test
    void nothingChangesWhenTheStagesFitTheAudience() {
      var decision = policy.decide(SETTINGS, List.of(active("a", 30), active("b", 30)), 0, new ScaleDownWindow(T0, 1), T0);
      assertThat(decision.changesStages()).isFalse();
      assertThat(decision.scaleDownWindow()).isEmpty();
      assertThat(decision.nextReview()).isEmpty();
    }
  }

  @Nested
  class Draining {
    @Test
    void deletesAnEmptyDrainingStage() {
      var stages = List.of(active("a", 10), draining("b", 0, T0.minusSeconds(1)));
      assertThat(policy.decide(SETTINGS, stages, 0, null, T0).toDelete()).containsExactly("b");
    }

    @Test
    void neverDeletesAStageInThePassThatDrainsIt() {
      var settings = new ScalingSettings(50, 1, 10, 0.8, Duration.ZERO, DRAIN);
      var decision = policy.decide(settings, List.of(active("a", 10), active("b", 0).countedAt(T0)), 0, null, T0);
      assertThat(decision.toDrain()).containsExactly("b");
      assertThat(decision.toDelete()).as("its count of 0 predates the drain").isEmpty();
      assertThat(decision.nextReview()).contains(T0.plus(DRAIN));
    }

    @Test
    void aStageAboveMaxStagesThatLooksEmptyDrainsButIsNotDeletedAtOnce() {
      // after an operator restart: its own stage and the adopted one of the create in flight, no counts yet
      var settings = new ScalingSettings(50, 1, 1, 0.8, WINDOW, DRAIN);
      var stages = List.of(ScalingStage.active("own", 0, T0), ScalingStage.active("adopted", 0, T0));
      var decision = policy.decide(settings, stages, 0, null, T0);
      assertThat(decision.toDrain()).hasSize(1);
      assertThat(decision.toDelete()).isEmpty();
    }

    @Test
    void keepsAnEmptyDrainingStageUntilACountAfterItsDrainBegan() {
      var drainedAt = T0.minusSeconds(5);
      var uncounted = ScalingStage.draining("b", 0, T0.minusSeconds(3600), drainedAt);
      var countedBefore = uncounted.countedAt(drainedAt.minusSeconds(1));
      var countedAtTheDrain = uncounted.countedAt(drainedAt);
      var countedAfter = uncounted.countedAt(drainedAt.plusSeconds(1));
      assertThat(policy.decide(SETTINGS, List.of(active("a", 10), uncounted), 0, null, T0).toDelete()).isEmpty();
      assertThat(policy.decide(SETTINGS, List.of(active("a", 10), countedBefore), 0, null, T0).toDelete()).isEmpty();
      assertThat(policy.decide(SETTINGS, List.of(active("a", 10), countedAtTheDrain), 0, null, T0).toDelete())
          .as("a count in the second the drain began may predate it").isEmpty();
      assertThat(policy.decide(SETTINGS, List.of(active("a", 10), countedAfter), 0, null, T0).toDelete())
          .containsExactly("b");
    }

    @Test
    void anUncountedDrainingStageIsStillDeletedAtItsDrainTimeout() {
      var stage = ScalingStage.draining("b", 0, T0.minusSeconds(3600), T0.minus(DRAIN));
      assertThat(policy.decide(SETTINGS, List.of(active("a", 10), stage), 0, null, T0).toDelete()).containsExactly("b");
    }

    @Test
    void keepsADrainingStageWithViewersUntilTheDrainTimeout() {
      var stages = List.of(active("a", 10), draining("b", 4, T0.minusSeconds(100)));
      var decision = policy.decide(SETTINGS, stages, 0, null, T0);
      assertThat(decision.toDelete()).isEmpty();
      assertThat(decision.nextReview()).contains(T0.minusSeconds(100).plus(DRAIN));
    }

    @Test
    void deletesADrainingStageWithViewersOnceTheDrainTimeoutPassed() {
      var stages = List.of(active("a", 10), draining("b", 4, T0.minus(DRAIN)));
      assertThat(policy.decide(SETTINGS, stages, 0, null, T0).toDelete()).containsExactly("b");
    }

    @Test
    void neverDeletesAnActiveStage() {
      var stages = List.of(active("a", 0), active("b", 0), active("c", 0));
      var decision = policy.decide(SETTINGS, stages, 0, new ScaleDownWindow(T0.minusSeconds(1), 1), T0);
      assertThat(decision.toDelete()).isEmpty();
    }

    @Test
    void nextReviewIsTheEarliestPendingDeadline() {
      var stages = List.of(active("a", 1), active("b", 1), draining("c", 2, T0.minusSeconds(550)),
          draining("d", 2, T0.minusSeconds(10)));
      var decision = policy.decide(SETTINGS, stages, 0, null, T0);
      assertThat(decision.nextReview()).contains(T0.plusSeconds(50));
    }
  }

  /** Viewers the gateways hold because every stage is full count as demand, or a full broadcast never grows. */
  @Nested
  class WaitingViewers {
    static final ScalingSettings FULL_FILL = new ScalingSettings(4, 1, 3, 1.0, WINDOW, DRAIN);

    @ParameterizedTest(name = "{0} placed + {1} waiting -> {2} stages")
    @CsvSource({"4,0,1", "4,1,2", "4,4,2", "4,5,3", "8,4,3", "12,100,3", "0,0,1", "0,9,3"})
    void desiredCountsPlacedPlusWaitingClampedToTheLimits(int placed, int waiting, int expected) {
      var decision = policy.decide(FULL_FILL, List.of(active("a", placed)), waiting, null, T0);
      assertThat(decision.desiredStages()).isEqualTo(expected);
      assertThat(decision.viewers()).as("placed viewers stay apart from waiting ones").isEqualTo(placed);
      assertThat(decision.waiting()).isEqualTo(waiting);
    }

    @Test
    void aFullStageAtTargetFillOneScalesUpOnlyWhenSomeoneWaits() {
      assertThat(policy.decide(FULL_FILL, List.of(active("a", 4)), 0, null, T0).stagesToCreate()).isZero();
      assertThat(policy.decide(FULL_FILL, List.of(active("a", 4)), 1, null, T0).stagesToCreate()).isEqualTo(1);
    }

    @Test
    void aStormAsksForEveryStageItNeedsInOneDecision() {
      var settings = new ScalingSettings(500, 1, 40, 0.8, WINDOW, DRAIN);
      var decision = policy.decide(settings, List.of(active("a", 400)), 9_600, null, T0);
      assertThat(decision.desiredStages()).isEqualTo(25);
      assertThat(decision.stagesToCreate()).isEqualTo(24);
    }

    @Test
    void waitingViewersReactivateDrainingStagesBeforeNewOnesAreCreated() {
      var stages = List.of(active("a", 4), draining("b", 0, T0.minusSeconds(5)));
      var decision = policy.decide(FULL_FILL, stages, 1, null, T0);
      assertThat(decision.toReactivate()).containsExactly("b");
      assertThat(decision.stagesToCreate()).isZero();
      assertThat(decision.toDelete()).isEmpty();
      assertThat(policy.decide(FULL_FILL, stages, 0, null, T0).toDelete()).as("without demand it goes").containsExactly("b");
    }

    @Test
    void waitingViewersHoldOffAScaleDown() {
      var stages = List.of(active("a", 4), active("b", 0));
      var window = new ScaleDownWindow(T0.minus(WINDOW), 1);
      assertThat(policy.decide(FULL_FILL, stages, 1, window, T0).toDrain()).isEmpty();
      assertThat(policy.decide(FULL_FILL, stages, 0, window, T0).toDrain()).containsExactly("b");
    }

    @Test
    void isSaturatedOnlyWhenMaxStagesFullStagesCannotSeatEveryone() {
      var full = List.of(active("a", 4), active("b", 4), active("c", 4));
      assertThat(policy.decide(FULL_FILL, full, 2, null, T0).saturated(FULL_FILL)).isTrue();
      assertThat(policy.decide(FULL_FILL, full, 0, null, T0).saturated(FULL_FILL)).isFalse();
      var room = List.of(active("a", 4), active("b", 4));
      assertThat(policy.decide(FULL_FILL, room, 4, null, T0).saturated(FULL_FILL))
          .as("a third stage seats the four waiting").isFalse();
    }

    @Test
    void refusesANegativeWaitingCount() {
      assertThatThrownBy(() -> policy.decide(FULL_FILL, List.of(), -1, null, T0))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** Runs the policy against a simulated audience over time, applying its decisions, and counts the churn. */
  @Nested
  class OverTime {
    final Map<String, ScalingStage> stages = new LinkedHashMap<>();
    ScaleDownWindow window;
    int created;
    int drained;
    int deleted;
    int reactivated;
    int next;

    boolean spreadEvenly;

    void step(Instant now, int viewers, ScalingSettings settings) {
      spread(viewers, now);
      var decision = policy.decide(settings, List.copyOf(stages.values()), 0, window, now);
      window = decision.scaleDownWindow().orElse(null);
      for (String id : decision.toReactivate()) {
        var s = stages.get(id);
        stages.put(id, ScalingStage.active(id, s.viewers(), s.createdAt()));
        reactivated++;
      }
      for (int i = 0; i < decision.stagesToCreate(); i++) {
        String id = "s" + next++;
        stages.put(id, ScalingStage.active(id, 0, now));
        created++;
      }
      for (String id : decision.toDrain()) {
        var s = stages.get(id);
        stages.put(id, ScalingStage.draining(id, s.viewers(), s.createdAt(), now));
        drained++;
      }
      for (String id : decision.toDelete()) {
        stages.remove(id);
        deleted++;
      }
    }

    /**
     * Viewers still on draining stages stay there (they leave at their own pace); the rest sit on active stages,
     * filling the first ones up to capacity as the gateway places them (or evenly), any overflow on the first.
     */
    void spread(int viewers, Instant now) {
      int left = viewers;
      for (var s : List.copyOf(stages.values())) {
        if (!s.isActive()) {
          int keep = Math.min(s.viewers(), left);
          left -= keep;
          stages.put(s.id(), ScalingStage.draining(s.id(), keep, s.createdAt(), s.drainingSince()).countedAt(now));
        }
      }
      List<ScalingStage> active = stages.values().stream().filter(ScalingStage::isActive).toList();
      int[] placed = new int[active.size()];
      for (int i = 0; i < active.size() && left > 0; i++) {
        placed[i] = spreadEvenly ? left / (active.size() - i) : Math.min(left, 50);
        left -= placed[i];
      }
      if (left > 0 && placed.length > 0) {
        placed[0] += left;
      }
      for (int i = 0; i < active.size(); i++) {
        var s = active.get(i);
        stages.put(s.id(), ScalingStage.active(s.id(), placed[i], s.createdAt()).countedAt(now));
      }
    }

    long active() {
      return stages.values().stream().filter(ScalingStage::isActive).count();
    }

    @Test
    void anAudienceOscillatingAroundAThresholdDoesNotMakeStagesFlap() {
      Instant t = T0;
      for (int i = 0; i < 240; i++) {
        step(t, i % 2 == 0 ? 38 : 42, SETTINGS);
        t = t.plusSeconds(30);
      }
      assertThat(created).as("one stage at the start, one when 42 viewers first came").isEqualTo(2);
      assertThat(drained).isZero();
      assertThat(deleted).isZero();
      assertThat(active()).isEqualTo(2);
    }

    @Test
    void anAudienceOscillatingSlowerThanTheWindowReusesDrainingStages() {
      var settings = new ScalingSettings(50, 1, 10, 0.8, Duration.ofSeconds(60), Duration.ofSeconds(600));
      spreadEvenly = true;
      Instant t = T0;
      for (int minute = 0; minute < 30; minute++) {
        int viewers = (minute / 3) % 2 == 0 ? 120 : 30;
        for (int s = 0; s < 60; s += 10) {
          // viewers leave draining stages slowly, so they are still around when the audience comes back
          step(t, viewers, settings);
          stages.replaceAll((id, st) -> st.isActive() ? st : ScalingStage.draining(id, 3, st.createdAt(), st.drainingSince()));
          t = t.plusSeconds(10);
        }
      }
      assertThat(created).as("stages are created once and then reused").isEqualTo(3);
      assertThat(reactivated).isPositive();
      assertThat(deleted).isZero();
    }

    @Test
    void aFallingAudienceDrainsAndDeletesAfterTheWindow() {
      step(T0, 200, SETTINGS);
      step(T0, 200, SETTINGS);
      assertThat(active()).isEqualTo(5);
      for (int k = 1; k <= 30; k++) {
        step(T0.plusSeconds(10L * k), 10, SETTINGS);
        assertThat(active()).as("still inside the window at +%ds", 10 * k).isEqualTo(5);
      }
      step(T0.plusSeconds(310), 10, SETTINGS);
      assertThat(active()).isEqualTo(1);
      assertThat(drained).isEqualTo(4);
      assertThat(deleted).as("not in the pass that drained them").isZero();
      step(T0.plusSeconds(320), 10, SETTINGS);
      assertThat(deleted).as("counted empty after their drain began").isEqualTo(4);
      assertThat(stages).hasSize(1);
    }
  }
}
