package dev.stagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code stagefleet} offers the product's parts, and only them: the benchmark harness lives outside the product. */
@Tag("unit")
class StageFleetCommandTest {

  @Test
  void helpListsEveryPartButNoBenchmark() {
    StringWriter out = new StringWriter();
    CommandLine cl = StageFleetCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));

    int exitCode = cl.execute("--help");

    assertThat(exitCode).isZero();
    assertThat(out.toString()).contains("operator", "gateway", "local", "ivs-emulator", "crd", "keys");
    assertThat(out.toString()).doesNotContainPattern("(?i)bench");
    assertThat(cl.getSubcommands()).doesNotContainKey("bench");
  }

  @Test
  void theProductClassesHoldNoBenchmarkHarness() throws Exception {
    Path classes = Path.of(StageFleetCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());

    assertThat(classes.resolve("dev/stagefleet/cli/StageFleetCommand.class")).exists();
    Path bench = classes.resolve("dev/stagefleet/bench");
    try (Stream<Path> files = Files.exists(bench) ? Files.walk(bench) : Stream.empty()) {
      assertThat(files.filter(file -> file.toString().endsWith(".class"))).isEmpty();
    }
    assertThat(classes.resolve("dev/stagefleet/cli/BenchCommand.class")).doesNotExist();
  }
}
