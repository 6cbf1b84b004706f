package dev.stagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.ivs.emulator.EmulatorSettings;
import dev.stagefleet.ivs.emulator.IvsEmulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code stagefleet ivs-emulator} runs the emulator until stopped and fails in one line when it cannot. */
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
    try (IvsEmulator occupying = IvsEmulator.start(EmulatorSettings.defaults().withPort(0))) {
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
}
