package dev.stagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code stagefleet ivs-emulator} runs the emulator until stopped and fails in one line when it cannot. */
@Tag("wire")
class IvsEmulatorCommandTest {

  @Test
  void servesIvsOnThePrintedEndpointUntilStopped() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cl = StageFleetCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    AtomicInteger exitCode = new AtomicInteger(-1);
    Thread running = new Thread(() -> exitCode.set(cl.execute("ivs-emulator", "--port", "0", "--region",
        "eu-west-1", "--no-throttling")));
    running.start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("listening on"));
      Matcher endpoint = Pattern.compile("http://127\\.0\\.0\\.1:\\d+").matcher(out.toString());
      assertThat(endpoint.find()).isTrue();

      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(endpoint.group() + "/CreateStage")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("arn:aws:ivs:eu-west-1:");
      assertThat(out.toString()).contains("throttling off");
    } finally {
      running.interrupt();
      running.join(10_000);
    }
    assertThat(exitCode.get()).isZero();
  }

  @Test
  void aPortInUseGivesOneClearLineAndANonZeroExit() {
    try (IvsEmulator occupying = IvsEmulator.start(EmulatorSettings.builder().port(0).build())) {
      StringWriter err = new StringWriter();
      CommandLine cl = StageFleetCommand.commandLine();
      cl.setErr(new PrintWriter(err, true));

      int exitCode = cl.execute("ivs-emulator", "--port", String.valueOf(occupying.port()));

      assertThat(exitCode).isNotZero();
      assertThat(err.toString().strip()).doesNotContain("\n").contains("already in use")
          .contains(String.valueOf(occupying.port()));
    }
  }

  @Test
  void rejectsAnInvalidRegionInOneLine() {
    StringWriter err = new StringWriter();
    CommandLine cl = StageFleetCommand.commandLine();
    cl.setErr(new PrintWriter(err, true));

    int exitCode = cl.execute("ivs-emulator", "--port", "0", "--region", "moon");

    assertThat(exitCode).isNotZero();
    assertThat(err.toString().strip()).doesNotContain("\n").contains("region");
  }

  @Test
  void aMistypedFlagIsOneLineThatNamesItAndPointsToTheHelp() {
    for (String[] args : new String[][] {{"ivs-emulator", "--port", "abc"}, {"ivs-emulator", "--prot", "4590"}}) {
      StringWriter err = new StringWriter();
      StringWriter out = new StringWriter();
      CommandLine cl = StageFleetCommand.commandLine();
      cl.setErr(new PrintWriter(err));
      cl.setOut(new PrintWriter(out));

      int exitCode = cl.execute(args);

      assertThat(exitCode).isEqualTo(2);
      assertThat(err.toString().strip()).as(String.join(" ", args)).doesNotContain("\n").contains(args[1])
          .contains("stagefleet ivs-emulator --help").doesNotContain("Usage:");
      assertThat(out.toString()).isEmpty();
    }
  }

  @Test
  void aHostItCannotListenOnIsNotReportedAsAPortInUse() {
    for (String host : new String[] {"no-such-host.invalid", "192.0.2.1"}) {
      StringWriter err = new StringWriter();
      CommandLine cl = StageFleetCommand.commandLine();
      cl.setErr(new PrintWriter(err, true));

      int exitCode = cl.execute("ivs-emulator", "--host", host, "--port", "0");

      assertThat(exitCode).isNotZero();
      assertThat(err.toString().strip()).as(host).doesNotContain("\n").contains(host).doesNotContain("in use");
    }
  }

  @Test
  void anOutageWindowFromTheFlagsFailsIvsCallsWith503() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cl = StageFleetCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    Thread running = new Thread(() -> cl.execute("ivs-emulator", "--port", "0", "--outage-seconds", "600"));
    running.start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("Control API"));
      Matcher endpoint = Pattern.compile("http://127\\.0\\.0\\.1:\\d+").matcher(out.toString());
      assertThat(endpoint.find()).isTrue();
      assertThat(out.toString()).contains("Outage window");

      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(endpoint.group() + "/ListStages")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(503);
    } finally {
      running.interrupt();
      running.join(10_000);
    }
  }

  @Test
  void anOutageStartWithoutALengthIsOneLine() {
    StringWriter err = new StringWriter();
    CommandLine cl = StageFleetCommand.commandLine();
    cl.setErr(new PrintWriter(err, true));

    assertThat(cl.execute("ivs-emulator", "--port", "0", "--outage-after", "5")).isNotZero();
    assertThat(err.toString().strip()).doesNotContain("\n").contains("--outage-seconds");
  }

  @Test
  void aBadValueFromTheEnvironmentNamesTheVariable() throws Exception {
    // the environment of this JVM cannot be changed: run the command in a child JVM with the variable set
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        StageFleetCommand.class.getName(), "ivs-emulator").redirectErrorStream(true);
    builder.environment().put("STAGEFLEET_PORT", "abc");
    Process child = builder.start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(2);
    assertThat(output.strip()).doesNotContain("\n").contains("'abc'").contains("environment variable STAGEFLEET_PORT");
  }
}
