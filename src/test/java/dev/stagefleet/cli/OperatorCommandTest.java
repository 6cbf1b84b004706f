package dev.stagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.operator.MockApiServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code stagefleet operator} runs the operator against the configured cluster and IVS until stopped. */
@Tag("apiserver")
class OperatorCommandTest {
  @TempDir
  Path dir;

  @Test
  void reconcilesAgainstTheKubeconfigsClusterAndTheIvsEndpointUntilStopped() throws Exception {
    try (MockApiServer api = new MockApiServer();
        IvsEmulator emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build())) {
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
        assertThat(emulator.stats().throttled()).as("429s: the operator's rate limits held").isZero();

        Matcher port = Pattern.compile("health on port (\\d+)").matcher(out.toString());
        assertThat(port.find()).isTrue();
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port.group(1) + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port.group(1) + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).as("stages by state, viewers, IVS calls by the operator and attempts by the client")
            .contains("stagefleet_stages{state=\"active\"} 1.0", "stagefleet_viewers",
                "stagefleet_operator_ivs_calls_seconds_count{operation=\"CreateStage\",outcome=\"success\"}",
                "stagefleet_ivs_requests_seconds_count{operation=\"CreateStage\",outcome=\"success\"}");
      } finally {
        running.interrupt();
        running.join(10_000);
      }
      assertThat(exitCode.get()).isZero();
    }
  }

  @Test
  void losingTheLeaseEndsTheCommandWithAFailureSayingWhy() throws Exception {
    try (MockApiServer api = new MockApiServer();
        IvsEmulator emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build())) {
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cl = StageFleetCommand.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      AtomicInteger exitCode = new AtomicInteger(-1);
      Thread running = new Thread(() -> exitCode.set(cl.execute("operator", "--kubeconfig", kubeconfig.toString(),
          "--ivs-endpoint", emulator.endpoint().toString(), "--region", emulator.region(), "--health-port", "-1",
          "--lease-namespace", "default", "--server-side-apply=false")));
      running.start();
      try {
        await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("operator running"));
        var leases = api.client().resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class)
            .inNamespace("default");
        await().atMost(Duration.ofSeconds(10)).until(() -> leases.withName("stagefleet-operator").get() != null);
        api.takeLease("default", "stagefleet-operator", "another-replica");
        running.join(15_000);
        assertThat(running.isAlive()).as("the command ended").isFalse();
      } finally {
        running.interrupt();
        running.join(10_000);
      }
      assertThat(exitCode.get()).as("a non-zero exit, so Kubernetes restarts the replica").isNotZero();
      assertThat(err.toString()).contains("lost the leader Lease stagefleet-operator");
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
  void rejectsANamespaceThatCannotExistAndAPortBeyondRangeInOneLine() {
    assertFailsInOneLine("--namespaces: \"Shows_EU\" is not a namespace name", "operator", "--namespaces",
        "shows,Shows_EU", "--health-port", "-1");
    assertFailsInOneLine("--health-port must be a port", "operator", "--health-port", "80801");
    assertFailsInOneLine("--region must be an AWS region", "operator", "--region", "moon", "--health-port", "-1");
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

  @Test
  void rejectsAFileThatIsNotAKubeconfigInOneLine() throws Exception {
    Path notAKubeconfig = Files.writeString(dir.resolve("hostname"), "vm\n");
    assertFailsInOneLine("is not a usable kubeconfig", "operator", "--kubeconfig", notAKubeconfig.toString(),
        "--health-port", "-1");
  }

  @Test
  void leaderElectionWithoutAnyNamespaceForTheLeaseIsOneLineNamingTheFlag() throws Exception {
    try (MockApiServer api = new MockApiServer()) {
      Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), Files.readString(
          api.writeKubeconfig(dir.resolve("with-namespace"))).replace("    namespace: default\n", ""));
      assertFailsInOneLine("--lease-namespace", "operator", "--kubeconfig", kubeconfig.toString(), "--health-port",
          "-1", "--server-side-apply=false");
    }
  }

  @Test
  void noClusterIsReportedBeforeTheLeaseNamespace() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), Files.readString(
        kubeconfig("http://127.0.0.1:" + closedPort)).replace("    namespace: default\n", ""));
    assertFailsInOneLine("cannot reach the Kubernetes API server", "operator", "--kubeconfig", kubeconfig.toString(),
        "--health-port", "-1");
  }

  @Test
  void aHealthPortInUseIsOneLineNamingThePort() throws Exception {
    try (MockApiServer api = new MockApiServer(); ServerSocket taken = new ServerSocket(0)) {
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      assertFailsInOneLine("cannot listen on port " + taken.getLocalPort(), "operator", "--kubeconfig",
          kubeconfig.toString(), "--health-port", String.valueOf(taken.getLocalPort()), "--leader-election=false",
          "--server-side-apply=false");
    }
  }

  @Test
  void anUnreachableApiServerIsOneLineNamingItsAddress() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path kubeconfig = kubeconfig("http://127.0.0.1:" + closedPort);
    assertFailsInOneLine("cannot reach the Kubernetes API server at http://127.0.0.1:" + closedPort
        + "/: connection refused", "operator",
        "--kubeconfig", kubeconfig.toString(), "--health-port", "-1", "--leader-election=false");
  }

  @Test
  void aClusterWithoutTheCrdIsOneLineSayingHowToInstallIt() throws Exception {
    // without expectations the mock server answers every request 404, as an API server without the CRD does
    var server = new KubernetesMockServer(false);
    server.init();
    try {
      Path kubeconfig = kubeconfig(server.url("/"));
      assertFailsInOneLine("the LiveBroadcast CRD is not installed", "operator", "--kubeconfig",
          kubeconfig.toString(), "--health-port", "-1", "--leader-election=false", "--server-side-apply=false");
    } finally {
      server.destroy();
    }
  }

  private Path kubeconfig(String server) throws Exception {
    return Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n"
        + "  cluster:\n    server: " + server + "\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: c\n"
        + "  context:\n    cluster: c\n    user: u\n    namespace: default\ncurrent-context: c\n");
  }

  private static void assertFailsInOneLine(String message, String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = StageFleetCommand.commandLine();
    cl.setErr(new PrintWriter(err, true));
    // a command that starts the operator instead of failing would run until stopped: fail the test instead
    int exitCode = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cl.execute(args));
    assertThat(exitCode).isNotZero();
    assertThat(err.toString().strip()).doesNotContain("\n").contains(message);
  }
}
