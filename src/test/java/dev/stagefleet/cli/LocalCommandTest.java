package dev.stagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.local.LocalMode;
import dev.stagefleet.local.LocalSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code stagefleet local}: its mistakes are one line and a non-zero exit; a part left out runs as its own command. */
@Tag("apiserver")
class LocalCommandTest {
  @TempDir
  Path dir;

  @Test
  void aPortInUseIsOneLineAndANonZeroExit() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = String.valueOf(busy.getLocalPort());
      for (String flag : new String[] {"--api-port", "--gateway-port", "--ivs-port"}) {
        List<String> args = new ArrayList<>(List.of("local", "--api-port", "0", "--gateway-port", "0", "--ivs-port",
            "0", "--kubeconfig", dir.resolve("kubeconfig").toString()));
        args.set(args.indexOf(flag) + 1, port);
        assertFailsInOneLine("port " + port + " is already in use", args.toArray(String[]::new));
      }
    }
  }

  @Test
  void aPageBundleWithoutPagesIsOneLineAndANonZeroExit() throws Exception {
    String empty = Files.createDirectories(dir.resolve("pages")).toString();
    String kubeconfig = dir.resolve("kubeconfig").toString();
    assertFailsInOneLine("holds no web pages", "local", "--api-port", "0", "--gateway-port", "0", "--ivs-port", "0",
        "--kubeconfig", kubeconfig, "--web-root", empty);
    assertFailsInOneLine("nowhere holds no web pages", "local", "--api-port", "0", "--gateway-port", "0",
        "--ivs-port", "0", "--kubeconfig", kubeconfig, "--web-root", dir.resolve("nowhere").toString());
  }

  @Test
  void withoutItsPagesInTheWorkingDirectoryLocalModeSaysWhereToRunIt() {
    LocalCommand command = new LocalCommand();
    new CommandLine(command).parseArgs("--api-port", "0");
    command.workingDirectory = dir;
    assertThatThrownBy(command::settings).isInstanceOf(UserFacingException.class)
        .hasMessageContaining("web pages are not in ./web-frontend/src").hasMessageContaining("--web-root");

    new CommandLine(command).parseArgs("--without", "gateway");
    command.workingDirectory = dir;
    assertThat(command.settings().webRoot()).as("no gateway, no pages needed").isNull();
  }

  @Test
  void theOperatorLeftOutRunsAsItsOwnCommandAgainstTheSameApiServerAndEmulator() throws Exception {
    var output = new ByteArrayOutputStream();
    var settings = new LocalSettings(0, 0, 0, dir.resolve("kubeconfig"), null, true, Set.of("operator"), 0,
        Duration.ofSeconds(1), false, null);
    try (var local = new LocalMode(settings, Clock.systemUTC(), new PrintStream(output, true, StandardCharsets.UTF_8))
        .start()) {
      local.printWelcome();
      // the command line local mode prints for the operator, as a user would paste it
      Matcher printed = Pattern.compile("run it with: stagefleet (operator .*)").matcher(output.toString(
          StandardCharsets.UTF_8));
      assertThat(printed.find()).as(output.toString(StandardCharsets.UTF_8)).isTrue();
      List<String> args = new ArrayList<>(Arrays.asList(printed.group(1).strip().split(" +")));
      args.addAll(List.of("--health-port", "0"));

      StringWriter out = new StringWriter();
      CommandLine cl = StageFleetCommand.commandLine();
      cl.setOut(new PrintWriter(out, true));
      AtomicInteger exitCode = new AtomicInteger(-1);
      Thread operator = new Thread(() -> exitCode.set(cl.execute(args.toArray(String[]::new))), "operator-command");
      operator.start();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          LiveBroadcast lb = local.client().resources(LiveBroadcast.class).inNamespace(LocalMode.NAMESPACE)
              .withName(LocalMode.SAMPLE_NAME).get();
          return lb.getStatus() != null && Integer.valueOf(1).equals(lb.getStatus().getReadyStages());
        });
        assertThat(local.emulator().stages()).hasSize(1);
      } finally {
        operator.interrupt();
        operator.join(10_000);
      }
      assertThat(exitCode.get()).isZero();
    }
  }

  private static void assertFailsInOneLine(String message, String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = StageFleetCommand.commandLine();
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute(args)).isNotZero();
    assertThat(err.toString().strip()).doesNotContain("\n").contains(message);
  }
}
