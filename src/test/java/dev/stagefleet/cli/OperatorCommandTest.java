package dev.stagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.ivs.emulator.EmulatorSettings;
import dev.stagefleet.ivs.emulator.IvsEmulator;
import dev.stagefleet.operator.MockApiServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code stagefleet operator} runs the operator against the configured cluster and IVS until stopped. */
class OperatorCommandTest {
  @TempDir
  Path dir;

  @Test
  void reconcilesAgainstTheKubeconfigsClusterAndTheIvsEndpointUntilStopped() throws Exception {
    try (MockApiServer api = new MockApiServer();
        IvsEmulator emulator = IvsEmulator.start(EmulatorSettings.defaults().withPort(0))) {
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      StringWriter out = new StringWriter();
      CommandLine cl = StageFleetCommand.commandLine();
      cl.setOut(new PrintWriter(out, true));
      AtomicInteger exitCode = new AtomicInteger(-1);
      Thread running = new Thread(() -> exitCode.set(cl.execute("operator", "--kubeconfig", kubeconfig.toString(),
          "--ivs-endpoint", emulator.endpoint().toString(), "--region", emulator.region(), "--cluster-id", "cli",
          "--namespaces", "shows", "--health-port", "0", "--leader-election=false", "--server-side-apply=false",
          "--inventory-refresh-seconds", "1")));
      running.start();
      try {
        await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("operator running"));
        assertThat(out.toString()).contains("cluster id cli").contains("namespaces shows");

        var lb = new LiveBroadcast();
        lb.setMetadata(new ObjectMetaBuilder().withNamespace("shows").withName("launch").build());
        var spec = new LiveBroadcastSpec();
        var broadcaster = new LiveBroadcastSpec.Broadcaster();
        broadcaster.setApiKeySecretRef(new LiveBroadcastSpec.SecretKeyRef("launch-key", "apiKey"));
        spec.setBroadcaster(broadcaster);
        lb.setSpec(spec);
        api.client().resources(LiveBroadcast.class).inNamespace("shows").resource(lb).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
          var current = api.client().resources(LiveBroadcast.class).inNamespace("shows").withName("launch").get();
          return current.getStatus() != null && Integer.valueOf(1).equals(current.getStatus().getReadyStages());
        });
        assertThat(emulator.stages()).hasSize(1);

        Matcher port = Pattern.compile("health on port (\\d+)").matcher(out.toString());
        assertThat(port.find()).isTrue();
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port.group(1) + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
      } finally {
        running.interrupt();
        running.join(10_000);
      }
      assertThat(exitCode.get()).isZero();
    }
  }

  @Test
  void helpListsEverySetting() {
    StringWriter out = new StringWriter();
    CommandLine cl = StageFleetCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertThat(cl.execute("operator", "--help")).isZero();
    assertThat(out.toString()).contains("--kubeconfig", "--region", "--cluster-id", "--namespaces", "--ivs-endpoint",
        "--health-port", "--leader-election", "--lease-namespace", "--server-side-apply", "--orphan-grace-seconds",
        "--inventory-refresh-seconds", "--participant-sample-rate", "--resync-seconds", "STAGEFLEET_");
  }

  @Test
  void rejectsANegativeGracePeriodInOneLine() {
    assertFailsInOneLine("--orphan-grace-seconds must be 0 or more", "operator", "--orphan-grace-seconds", "-5");
  }

  @Test
  void rejectsAMissingKubeconfigInOneLine() {
    assertFailsInOneLine("is not a readable file", "operator", "--kubeconfig", dir.resolve("nope").toString(),
        "--health-port", "-1");
  }

  @Test
  void rejectsARelativeIvsEndpointInOneLine() {
    assertFailsInOneLine("--ivs-endpoint must be an absolute URI", "operator", "--ivs-endpoint", "localhost",
        "--health-port", "-1");
  }

  private static void assertFailsInOneLine(String message, String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = StageFleetCommand.commandLine();
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute(args)).isNotZero();
    assertThat(err.toString().strip()).doesNotContain("\n").contains(message);
  }
}
