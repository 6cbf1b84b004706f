package dev.stagefleet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.stagefleet.crypto.Es384Provider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario 1 at tiny sizes: every figure is produced and sane. */
@Tag("bench")
class JoinsBenchSmokeTest {

  @Test
  void measuresGatewayJoinsAgainstBothYardsticksAndApiModeWithinTheQuota(@TempDir Path dir) {
    Path profile = dir.resolve("joins.jfr");
    var settings = new JoinsBench.Settings(Duration.ofMillis(600), Duration.ofMillis(300), 1, 8, 1, 0.5, 100,
        Duration.ofMillis(800), 2, profile);

    BenchReport report = JoinsBench.run(settings, new PrintStream(new ByteArrayOutputStream(), true));

    assertThat(report.value("(a) ES384 signing rate, fastest signer")).isPositive()
        .isGreaterThanOrEqualTo(report.value("ES384 signing rate, the JDK's SunEC") * 0.5);
    assertThat(report.figure("(a) ES384 signing rate, fastest signer").orElseThrow().note())
        .startsWith(Es384Provider.fastest().name());
    assertThat(report.value("(b) bare Javalin static JSON")).isPositive();
    assertThat(report.value("gateway joins (self-signed)")).isPositive();
    assertThat(report.figure("gateway joins (self-signed)").orElseThrow().note()).contains("; 0 not 2xx");
    assertThat(report.value("joins / min(a, b)")).isPositive();
    assertThat(report.value("serial bound a*b/(a+b)"))
        .isCloseTo(JoinsBench.serialBound(report.value("(a) ES384 signing rate, fastest signer"),
            report.value("(b) bare Javalin static JSON")), offset(1e-6));
    assertThat(report.value("joins / serial bound")).isPositive();
    // the profile charges every request-thread sample to one component, so the shares add up to the whole
    assertThat(profile).isNotEmptyFile();
    var shares = report.figures().stream().filter(f -> f.name().startsWith("profile: ") && f.unit().equals("%"))
        .toList();
    assertThat(shares).isNotEmpty();
    assertThat(shares.stream().mapToDouble(Figure::value).sum()).isCloseTo(100.0, offset(0.01));
    assertThat(report.value("gateway joins latency p50")).isPositive()
        .isLessThanOrEqualTo(report.value("gateway joins latency p99"));
    // the gateway's client-side limiter keeps API-mode tokens to IVS's quota, so the emulator never throttles
    assertThat(report.value("gateway joins (IVS API tokens, emulator)")).isBetween(10.0, 55.0);
    assertThat(report.figure("gateway joins (IVS API tokens, emulator)").orElseThrow().note())
        .contains("0 not 2xx", "answered 0 with 429");
    assertThat(report.goals()).extracting(Goal::description).containsExactly("joins/s >= 70% of min(a, b)",
        "joins p99 <= 5 ms at half of saturation", "every join answered 2xx");
    // a seat for every join offered: none is refused because the broadcast is full
    assertThat(report.goals()).filteredOn(g -> g.description().equals("every join answered 2xx"))
        .extracting(Goal::met).containsExactly(true);
  }
}
