package dev.stagefleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The benchmark command offers one subcommand per scenario and refuses bad sizes in one line. */
@Tag("bench")
class BenchMainTest {

  @Test
  void listsOneSubcommandPerScenario() {
    StringWriter out = new StringWriter();
    CommandLine cl = BenchMain.commandLine();
    cl.setOut(new PrintWriter(out, true));

    int exitCode = cl.execute("--help");

    assertThat(exitCode).isZero();
    assertThat(out.toString()).contains("joins", "scale-up", "ivs-economy", "footprint", "join-storm",
        "fan-out", "replicas");
  }

  @Test
  void aBadSizeGivesOneClearLineAndANonZeroExit() {
    StringWriter err = new StringWriter();
    CommandLine cl = BenchMain.commandLine();
    cl.setErr(new PrintWriter(err, true));

    int exitCode = cl.execute("ivs-economy", "--broadcasts", "3", "--scaling", "5");

    assertThat(exitCode).isNotZero();
    assertThat(err.toString().strip())
        .isEqualTo("stagefleet-bench: --scaling must be between 0 and --broadcasts (3), got 5");
  }

  @Test
  void aNegativeHandOverIsRefusedInOneLine() {
    StringWriter err = new StringWriter();
    CommandLine cl = BenchMain.commandLine();
    cl.setErr(new PrintWriter(err, true));

    int exitCode = cl.execute("fan-out", "--handover-seconds", "-1");

    assertThat(exitCode).isNotZero();
    assertThat(err.toString().strip())
        .isEqualTo("stagefleet-bench: --handover-seconds must not be negative, got -1.0");
  }

  @Test
  void aProfileIntoAMissingFolderIsRefusedInOneLineBeforeAnythingRuns() {
    StringWriter err = new StringWriter();
    CommandLine cl = BenchMain.commandLine();
    cl.setErr(new PrintWriter(err, true));

    int exitCode = cl.execute("joins", "--profile", "/no-such-folder/joins.jfr");

    assertThat(exitCode).isNotZero();
    assertThat(err.toString().strip()).isEqualTo("stagefleet-bench: --profile /no-such-folder/joins.jfr: the folder "
        + "it is to be written in does not exist");
  }
}
