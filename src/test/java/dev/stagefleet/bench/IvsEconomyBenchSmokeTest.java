package dev.stagefleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Scenario 3 at tiny sizes: calls are counted by operation and the burst converges without 429s. */
@Tag("bench")
class IvsEconomyBenchSmokeTest {

  @Test
  void countsSteadyStateCallsByOperationAndConvergesABurst() {
    var settings = new IvsEconomyBench.Settings(2, 2, Duration.ofSeconds(6), 2);

    BenchReport report = IvsEconomyBench.run(settings, new PrintStream(new ByteArrayOutputStream(), true));

    assertThat(report.value("initial convergence: 4 stages")).isPositive();
    assertThat(report.value("steady mutating calls")).isZero();
    assertThat(report.value("steady CreateStage per minute")).isZero();
    assertThat(report.value("steady ListStages / budget")).isLessThanOrEqualTo(1.05);
    assertThat(report.value("burst CreateStage calls")).isEqualTo(2);
    assertThat(report.value("burst 429 answers")).isZero();
    assertThat(report.goals()).allMatch(Goal::met);
  }
}
