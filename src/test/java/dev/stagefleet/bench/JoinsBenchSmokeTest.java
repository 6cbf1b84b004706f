package dev.stagefleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Scenario 1 at tiny sizes: every figure is produced and sane. */
class JoinsBenchSmokeTest {

  @Test
  void producesJoinFiguresAgainstBothYardsticksAndTheApiQuota() {
    var settings = new JoinsBench.Settings(Duration.ofMillis(700), Duration.ofMillis(300), 1, 8, 1, 0.5, 100,
        Duration.ofSeconds(1));
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    BenchReport report = JoinsBench.run(settings, new PrintStream(progress, true));

    assertThat(report.value("(a) ES384 signing rate")).isPositive();
    assertThat(report.value("(b) bare Javalin static JSON")).isPositive();
    assertThat(report.value("(b) bare Javalin latency p50")).isPositive()
        .isLessThanOrEqualTo(report.value("(b) bare Javalin latency p99"));
    // the client-side limiter keeps to IVS's quota, so the emulator never throttles
    assertThat(report.value("IVS API tokens (CreateParticipantToken, emulator)")).isBetween(20.0, 55.0);
    assertThat(report.figure("IVS API tokens (CreateParticipantToken, emulator)").orElseThrow().note())
        .contains("0 answered 429");
    ByteArrayOutputStream table = new ByteArrayOutputStream();
    report.print(new PrintStream(table, true));
    assertThat(table.toString()).contains("1. viewer joins", "(a) ES384 signing rate");
  }
}
