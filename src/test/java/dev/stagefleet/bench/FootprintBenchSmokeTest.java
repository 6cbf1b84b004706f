package dev.stagefleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Scenario 4 at tiny sizes: the operator runs in its own JVM and reports its memory and reconciles. */
@Tag("bench")
class FootprintBenchSmokeTest {

  @Test
  void measuresTheOperatorProcessWithAndWithoutBroadcasts() {
    BenchReport report = FootprintBench.run(new FootprintBench.Settings(3, "256m"),
        new PrintStream(new ByteArrayOutputStream(), true));

    assertThat(report.value("resident set, no broadcast")).isBetween(20.0, 1024.0);
    assertThat(report.value("resident set, 3 broadcasts")).isBetween(20.0, 1024.0);
    assertThat(report.value("heap used after GC, 3 broadcasts")).isPositive();
    // each broadcast was reconciled at least once to converge, and again by the restarted operator
    assertThat(report.figure("convergence of 3 new broadcasts").orElseThrow().note())
        .matches("[1-9][0-9]* reconciles");
    assertThat(report.value("restart: reconciles/s walking 3 broadcasts")).isPositive();
    assertThat(report.value("status merge patches/s by the bench itself")).isPositive();
  }
}
