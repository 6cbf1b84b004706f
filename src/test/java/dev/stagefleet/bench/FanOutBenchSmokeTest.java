package dev.stagefleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Scenario 6 at tiny sizes: replicated fan-out uploads into one stage where direct uploads into each. */
@Tag("bench")
class FanOutBenchSmokeTest {

  @Test
  void replicatedFanOutPublishesIntoOneStageOfThreeAndCostsNoMutatingCallAtSteadyState() {
    var settings = new FanOutBench.Settings(3, Duration.ofSeconds(1), Duration.ofSeconds(6));

    BenchReport report = FanOutBench.run(settings, new PrintStream(new ByteArrayOutputStream(), true));

    assertThat(FanOutBench.publishesAt(report, 1)).isEqualTo(1);
    assertThat(FanOutBench.publishesAt(report, 3)).isEqualTo(1);
    assertThat(report.value("uploads at N=3, replicated / direct")).isEqualTo(1.0 / 3);
    assertThat(report.value("new stage -> its replica in it, max")).isPositive();
    assertThat(report.value("per scale event: StartParticipantReplication")).isEqualTo(1);
    assertThat(report.value("steady mutating calls")).isZero();
    assertThat(report.value("429 answers over the run")).isZero();
    assertThat(report.goals()).allMatch(Goal::met);
  }
}
