package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.gateway.UrgentDemand.Demand;
import dev.stagefleet.scaling.ScalingSettings;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which changes of a replica's demand are written at once rather than on the next report tick. */
@Tag("unit")
class UrgentDemandTest {
  /** 10 viewers a stage at 80 % fill, 1 to 5 stages: 1 stage up to 8 viewers, 2 up to 16, ..., 5 from 33 on. */
  static final ScalingSettings SETTINGS = new ScalingSettings(10, 1, 5, 0.8, Duration.ofMinutes(5),
      Duration.ofMinutes(10));

  @ParameterizedTest(name = "written {0}+{1}, now {2}+{3}, elsewhere {4} -> {5}")
  @CsvSource({
      // a line forms: always at once (the operator adds a stage, or says Saturated), whatever the count
      "0, 0, 0, 1, 0, true",
      "3, 0, 3, 1, 0, true",
      "40, 0, 40, 1, 0, true",
      // the line was reported already and grows within the stages the written report asked for
      "5, 2, 5, 3, 0, false",
      "2, 1, 7, 1, 0, false",
      // placed plus waiting crosses into another stage
      "5, 2, 5, 4, 0, true",
      "8, 0, 9, 0, 0, true",
      "16, 0, 17, 0, 0, true",
      "1, 1, 30, 0, 0, true",
      // placed viewers within the stages asked for
      "0, 0, 8, 0, 0, false",
      "9, 0, 16, 0, 0, false",
      // demand falls or the line empties: scaling down waits for its window, so does the report
      "10, 5, 10, 0, 0, false",
      "20, 0, 5, 0, 0, false",
      "8, 8, 0, 0, 0, false",
      // the other replicas' demand counts, as the operator sums every fresh report
      "4, 0, 5, 0, 4, true",
      "4, 0, 5, 0, 0, false",
      "4, 0, 5, 0, 3, false",
      // maxStages bounds the decision: more demand beyond it changes nothing
      "32, 0, 33, 0, 0, true",
      "40, 0, 50, 0, 0, false",
      "33, 1, 60, 9, 0, false",
      // no change at all
      "0, 0, 0, 0, 0, false",
      "9, 3, 9, 3, 0, false",
  })
  void writesAtOnceOnlyWhenALineFormsOrMoreStagesAreWanted(int writtenPlaced, int writtenWaiting, int placed,
      int waiting, int elsewhere, boolean urgent) {
    assertThat(UrgentDemand.urgent(new Demand(writtenPlaced, writtenWaiting), new Demand(placed, waiting), elsewhere,
        SETTINGS)).isEqualTo(urgent);
  }

  @Test
  void nothingWrittenYetCountsAsNoDemand() {
    assertThat(UrgentDemand.urgent(Demand.NONE, new Demand(8, 0), 0, SETTINGS)).as("8 viewers need 1 stage").isFalse();
    assertThat(UrgentDemand.urgent(Demand.NONE, new Demand(9, 0), 0, SETTINGS)).as("9 need 2").isTrue();
  }

  @Test
  void demandBelowMinStagesIsNotUrgent() {
    var atLeastThree = new ScalingSettings(10, 3, 5, 0.8, Duration.ofMinutes(5), Duration.ofMinutes(10));

    assertThat(UrgentDemand.urgent(Demand.NONE, new Demand(24, 0), 0, atLeastThree)).isFalse();
    assertThat(UrgentDemand.urgent(Demand.NONE, new Demand(25, 0), 0, atLeastThree)).isTrue();
  }

  @Test
  void atTargetFillOneOnlyTheLineFormingOrAFullStageWorthOfWaitersIsUrgent() {
    var full = new ScalingSettings(10, 1, 5, 1.0, Duration.ofMinutes(5), Duration.ofMinutes(10));

    assertThat(UrgentDemand.urgent(new Demand(10, 0), new Demand(10, 1), 0, full)).as("line forms").isTrue();
    assertThat(UrgentDemand.urgent(new Demand(10, 1), new Demand(10, 10), 0, full)).as("2 stages still").isFalse();
    assertThat(UrgentDemand.urgent(new Demand(10, 1), new Demand(10, 11), 0, full)).as("a third stage").isTrue();
  }
}
