package dev.stagefleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Scenario 2 at tiny sizes: a crossing reaches the broadcaster's socket with a token IVS accepts. */
@Tag("bench")
class ScaleUpBenchSmokeTest {

  @Test
  void timesEachThresholdCrossingUntilTheBroadcasterGetsStageCreated() {
    var settings = new ScaleUpBench.Settings(1, List.of(Duration.ZERO, Duration.ofMillis(200)));

    BenchReport report = ScaleUpBench.run(settings, new PrintStream(new ByteArrayOutputStream(), true));

    assertThat(report.value("scale-up, CreateStage 0 ms, p50")).isPositive();
    // the 200 ms CreateStage latency is inside every sample taken with it
    assertThat(report.value("scale-up, CreateStage 200 ms, p50")).isGreaterThanOrEqualTo(200);
    assertThat(report.value("direct CreateStage call, 200 ms, p50")).isGreaterThanOrEqualTo(200);
    assertThat(report.value("tokens accepted by the emulator, 0 ms")).isEqualTo(1);
    assertThat(report.value("tokens accepted by the emulator, 200 ms")).isEqualTo(1);
    assertThat(report.goals()).hasSize(2);
  }
}
