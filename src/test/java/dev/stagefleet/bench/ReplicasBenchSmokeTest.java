package dev.stagefleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Scenario 6 at tiny sizes: no stage overfilled with 1, 2 or 3 replicas; a lost replica's viewers counted once; viewers
 * waiting on 3 replicas counted once.
 */
@Tag("bench")
class ReplicasBenchSmokeTest {

  @Test
  void noStageOverfillsAndALostReplicasViewersKeepTheirStageCountedOnce() {
    var settings = new ReplicasBench.Settings(60, 10, 4, 8, 12, Duration.ofSeconds(2), 12);

    BenchReport report = ReplicasBench.run(settings, new PrintStream(new ByteArrayOutputStream(), true));

    for (int n = 1; n <= 3; n++) {
      assertThat(report.value("fullest stage / capacity, " + n + " replica(s)")).isPositive().isLessThanOrEqualTo(1.0);
      assertThat(report.value("joins/s, " + n + " replica(s)")).isPositive();
    }
    assertThat(report.value("viewers off their stage after the loss")).isZero();
    assertThat(report.goals()).allMatch(Goal::met);
  }
}
