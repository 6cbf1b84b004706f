package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's kubectl compatibility table, row by row: the real kubectl binary, without flags, against the embedded
 * API server. Needs kubectl on the PATH (or {@code KUBECTL=/path/to/kubectl}); without it every test fails saying so.
 */
@Tag("kubectl")
class KubectlCompatibilityTest {
  /** Guards a hung kubectl (a watch that never ends, a request the server never answers); not a timing assertion. */
  private static final long GUARD_SECONDS = 60;
  private static final String MINIMAL = "deploy/examples/minimal.yaml";

  @TempDir
  static Path dir;
  static EmbeddedApiServer api;
  /** The watch requests the server has had, so a test acts only once kubectl watches. */
  static final List<String> watches = new java.util.concurrent.CopyOnWriteArrayList<>();
  static Path kubeconfig;

  /** What one kubectl run printed. */
  record Run(int exitCode, String stdout, String stderr) {
    String all() {
      return stdout + stderr;
    }
  }

  @BeforeAll
  static void start() throws IOException {
    api = EmbeddedApiServer.start(0, Clock.systemUTC(), request -> {
      if (request.getPath().contains("watch=true")) {
        watches.add(request.getPath());
      }
    });
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  /** kubectl from {@code KUBECTL} or the PATH, or a failure that says how to get it. */
  static String kubectl() {
    String configured = System.getenv("KUBECTL");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String dirOnPath : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dirOnPath, "kubectl");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return fail("kubectl is not on the PATH: install it (Kubernetes' apt repository: apt-get install -y kubectl; "
        + "https://kubernetes.io/docs/tasks/tools/) or set KUBECTL=/path/to/kubectl; these tests drive the real "
        + "binary and do not pass without it");
  }

  static Run kubectl(Map<String, String> env, String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(kubectl(), "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(new File(".").getAbsoluteFile());
    builder.environment().putAll(env);
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = builder.start();
    try (var in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("kubectl " + String.join(" ", args) + " did not finish; it printed: " + Files.readString(out)
          + Files.readString(err));
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  static Run kubectl(String... args) throws Exception {
    return kubectl(Map.of(), "", args);
  }

  /** A kubectl left running (a watch, a wait), its output readable as it comes. */
  record Running(Process process, Path out, Path err, String command) {
    String stdout() throws IOException {
      return Files.readString(out);
    }

    /** Waits until kubectl has printed all of these. */
    Running printed(String... texts) {
      await().atMost(Duration.ofSeconds(GUARD_SECONDS)).ignoreExceptions()
          .untilAsserted(() -> assertThat(stdout()).as(command).contains(texts));
      return this;
    }

    /** Waits for kubectl to finish by itself. */
    Run finished() throws Exception {
      if (!process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("kubectl " + command + " did not finish; it printed: " + stdout() + Files.readString(err));
      }
      return new Run(process.exitValue(), stdout(), Files.readString(err));
    }

    /** Stops a kubectl that would run on (a watch), as Ctrl-C does; its exit code is then the signal's. */
    Run stopped() throws Exception {
      process.destroy();
      process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS);
      return new Run(0, stdout(), Files.readString(err));
    }
  }

  static Running started(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(kubectl(), "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process process = new ProcessBuilder(command).directory(new File(".").getAbsoluteFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    process.getOutputStream().close();
    return new Running(process, out, err, String.join(" ", args));
  }

  /** Applies a LiveBroadcast of this name, held by a finalizer when {@code held}. */
  static void applyBroadcast(String name, boolean held) throws Exception {
    ok(kubectl(Map.of(), """
        apiVersion: live.stagefleet.dev/v1alpha1
        kind: LiveBroadcast
        metadata: {name: %s, finalizers: %s}
        spec: {broadcaster: {apiKeySecretRef: {name: k}}}
        """.formatted(name, held ? "[test.stagefleet.dev/hold]" : "[]"), "apply", "-f", "-"));
  }

  static void letGo(String name) throws Exception {
    ok(kubectl("patch", "lbc", name, "--type=merge", "-p", "{\"metadata\":{\"finalizers\":null}}"));
  }

  static void markReady(String name) throws Exception {
    ok(kubectl("patch", "lbc", name, "--subresource=status", "--type=merge", "-p", """
        {"status":{"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z",\
        "reason":"StagesUp","message":"every wanted stage is up"}]}}"""));
  }

  /** A run that succeeded and printed no error line. */
  static Run ok(Run run) {
    assertThat(run.exitCode()).as(run.all()).isZero();
    assertThat(run.stderr()).as("kubectl's error output").doesNotContain("error", "Error", "E1", "E0");
    return run;
  }

  static void applyMinimal(String namespace) throws Exception {
    ok(kubectl("apply", "-n", namespace, "-f", MINIMAL));
  }

  @Test
  void applyValidatesOnTheServerAndCreatesThenConfigures() throws Exception {
    assertThat(ok(kubectl("apply", "-f", MINIMAL)).stdout()).contains("livebroadcast.live.stagefleet.dev/launch-party created");
    assertThat(ok(kubectl("apply", "-f", MINIMAL)).stdout()).contains("launch-party unchanged");
    Run typo = kubectl(Map.of(), """
        apiVersion: live.stagefleet.dev/v1alpha1
        kind: LiveBroadcast
        metadata: {name: typo}
        spec: {viewersPerStag: 10, broadcaster: {apiKeySecretRef: {name: k}}}
        """, "apply", "-f", "-");
    assertThat(typo.exitCode()).isNotZero();
    assertThat(typo.stderr()).contains("unknown field \"spec.viewersPerStag\"");
  }

  @Test
  void editWritesWhatTheEditorSaved() throws Exception {
    ok(kubectl("apply", "-f", MINIMAL));
    Path editor = dir.resolve("editor.sh");
    Files.writeString(editor, "#!/bin/sh\nsed -i 's/viewersPerStage: .*/viewersPerStage: 77/' \"$1\"\n");
    editor.toFile().setExecutable(true);
    assertThat(ok(kubectl(Map.of("KUBE_EDITOR", editor.toString()), "", "edit", "lbc", "launch-party")).stdout())
        .contains("edited");
    assertThat(ok(kubectl("get", "lbc", "launch-party", "-o", "jsonpath={.spec.viewersPerStage}")).stdout())
        .isEqualTo("77");
  }

  @Test
  void explainDescribesTheKindItsSpecAndItsStatus() throws Exception {
    assertThat(ok(kubectl("explain", "livebroadcast")).stdout()).contains("KIND:       LiveBroadcast", "spec", "status");
    assertThat(ok(kubectl("explain", "livebroadcast.spec")).stdout()).contains("viewersPerStage", "broadcaster");
    assertThat(ok(kubectl("explain", "livebroadcast.status")).stdout()).contains("FIELD: status");
  }

  @Test
  void serverSideApplyIsRefusedAtOnceWithAClearMessage() throws Exception {
    Run run = kubectl("apply", "--server-side", "-f", MINIMAL);
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr()).contains("server-side apply");
  }

  @Test
  void createNamespaceAndSecretSentAsProtobufAreStored() throws Exception {
    assertThat(ok(kubectl("create", "namespace", "made")).stdout()).contains("namespace/made created");
    assertThat(ok(kubectl("create", "secret", "generic", "key", "-n", "made", "--from-literal=apiKey=abc")).stdout())
        .contains("secret/key created");
    assertThat(ok(kubectl("get", "secret", "key", "-n", "made", "-o", "jsonpath={.data.apiKey}")).stdout())
        .isEqualTo("YWJj");
  }

  @Test
  void deletingANamespaceDeletesWhatIsInIt() throws Exception {
    ok(kubectl("create", "namespace", "doomed"));
    ok(kubectl("create", "configmap", "settings", "-n", "doomed", "--from-literal=a=b"));
    applyMinimal("doomed");
    assertThat(ok(kubectl("delete", "namespace", "doomed")).stdout()).contains("namespace \"doomed\" deleted");
    ok(kubectl("create", "namespace", "doomed"));
    assertThat(ok(kubectl("get", "configmaps,livebroadcasts", "-n", "doomed", "-o", "name")).stdout()).isEmpty();
  }

  @Test
  void eventsAreSortedAndSelectedByField() throws Exception {
    try (var client = api.newClient()) {
      for (String[] e : new String[][] {{"late", "2026-01-01T10:00:00Z", "b"}, {"early", "2026-01-01T09:00:00Z", "a"}}) {
        client.v1().events().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
            .withNewMetadata().withName(e[0]).endMetadata().withReason("Scaled").withType("Normal")
            .withMessage(e[0]).withLastTimestamp(e[1]).withNewInvolvedObject().withKind("LiveBroadcast")
            .withName(e[2]).withNamespace("default").endInvolvedObject().build()).create();
      }
    }
    String sorted = ok(kubectl("get", "events", "--sort-by=.lastTimestamp", "-o", "name")).stdout();
    assertThat(sorted.indexOf("event/early")).isNotNegative().isLessThan(sorted.indexOf("event/late"));
    assertThat(ok(kubectl("get", "events", "--field-selector", "involvedObject.name=a", "-o", "name")).stdout())
        .isEqualTo("event/early\n");
  }

  @Test
  void eventsTableHasTheApiServersColumns() throws Exception {
    try (var client = api.newClient()) {
      client.v1().events().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
          .withNewMetadata().withName("tabled").endMetadata().withReason("StageCreated").withType("Normal")
          .withMessage("stage 1 of 2").withLastTimestamp("2026-01-01T10:00:00Z").withFirstTimestamp(
              "2026-01-01T09:00:00Z").withCount(2).withNewSource().withComponent("stagefleet-operator").endSource()
          .withNewInvolvedObject().withKind("LiveBroadcast").withName("tabled").withNamespace("default")
          .endInvolvedObject().build()).create();
    }
    String table = ok(kubectl("get", "events", "--field-selector", "involvedObject.name=tabled")).stdout();
    assertThat(table.lines().toList()).hasSize(2);
    assertThat(table.lines().findFirst().orElseThrow().split("\\s{2,}"))
        .containsExactly("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
    assertThat(table).contains("Normal", "StageCreated", "livebroadcast/tabled", "stage 1 of 2");
    String wide = ok(kubectl("get", "events", "--field-selector", "involvedObject.name=tabled", "-o", "wide"))
        .stdout();
    assertThat(wide.lines().findFirst().orElseThrow().split("\\s{2,}")).containsExactly("LAST SEEN", "TYPE",
        "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME");
    assertThat(wide).contains("stagefleet-operator", "tabled");
  }

  @Test
  void getDescribeAndDeleteWork() throws Exception {
    applyBroadcast("plain", false);
    assertThat(ok(kubectl("get", "lbc")).stdout()).contains("NAME", "PHASE", "plain");
    assertThat(ok(kubectl("get", "lbc", "plain", "-o", "yaml")).stdout()).contains("name: plain", "apiKeySecretRef");
    assertThat(ok(kubectl("describe", "lbc", "plain")).stdout()).contains("Name:", "plain", "Kind:", "LiveBroadcast");
    assertThat(ok(kubectl("delete", "lbc", "plain")).stdout()).contains("\"plain\" deleted");
    assertThat(kubectl("get", "lbc", "plain").stderr()).contains("\"plain\" not found");
  }

  @Test
  void getWatchPrintsTheListThenEachChange() throws Exception {
    applyBroadcast("watched", false);
    Running watch = started("get", "lbc", "watched", "-w").printed("NAME", "watched");
    markReady("watched");
    watch.printed("True");
    ok(watch.stopped());
  }

  @Test
  void getWatchWithOutputWatchEventsNamesEachEvent() throws Exception {
    applyBroadcast("evented", false);
    Running watch = started("get", "lbc", "-w", "--output-watch-events").printed("EVENT", "ADDED", "evented");
    applyBroadcast("evented-too", false);
    ok(kubectl("delete", "lbc", "evented"));
    watch.printed("evented-too", "DELETED");
    assertThat(watch.stdout().lines().filter(l -> l.startsWith("DELETED")).toList()).singleElement()
        .asString().contains("evented ");
    ok(watch.stopped());
  }

  @Test
  void getEventsWatchPrintsNewEventsAsTheyAreRecorded() throws Exception {
    recordEvent("first-event", "StageCreated", "stage 1");
    Running watch = started("get", "events", "-w", "--field-selector", "involvedObject.name=watched-events")
        .printed("LAST SEEN", "StageCreated");
    recordEvent("second-event", "ScaledUp", "now 2 stages");
    watch.printed("ScaledUp", "livebroadcast/watched-events", "now 2 stages");
    ok(watch.stopped());
  }

  static void recordEvent(String name, String reason, String message) {
    try (var client = api.newClient()) {
      client.v1().events().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
          .withNewMetadata().withName(name).endMetadata().withReason(reason).withType("Normal")
          .withMessage(message).withLastTimestamp(java.time.Instant.now().toString())
          .withNewInvolvedObject().withKind("LiveBroadcast").withName("watched-events").withNamespace("default")
          .endInvolvedObject().build()).create();
    }
  }

  @Test
  void waitForConditionReadyReturnsOnceTheConditionIsTrue() throws Exception {
    applyBroadcast("awaited", false);
    Running wait = started("wait", "--for=condition=Ready", "lbc/awaited", "--timeout=" + GUARD_SECONDS + "s");
    markReady("awaited");
    assertThat(ok(wait.finished()).stdout()).contains("livebroadcast.live.stagefleet.dev/awaited condition met");
  }

  @Test
  void deleteWaitsUntilTheFinalizerLetsTheObjectGo() throws Exception {
    applyBroadcast("held", true);
    Running delete = started("delete", "lbc", "held");
    await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> ok(kubectl("get", "lbc", "held", "-o",
        "jsonpath={.metadata.deletionTimestamp}")).stdout().length() > 0);
    assertThat(delete.process().isAlive()).as("kubectl delete waits while a finalizer holds the object").isTrue();
    letGo("held");
    assertThat(ok(delete.finished()).stdout()).contains("\"held\" deleted");
  }

  @Test
  void waitForDeleteReturnsOnceTheObjectIsGone() throws Exception {
    applyBroadcast("doomed-broadcast", true);
    ok(kubectl("delete", "lbc", "doomed-broadcast", "--wait=false"));
    Running wait = started("wait", "--for=delete", "lbc/doomed-broadcast", "--timeout=" + GUARD_SECONDS + "s");
    // gone before kubectl first looks, there is nothing to wait for and kubectl prints nothing, as with a cluster
    await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> watches.stream()
        .anyMatch(w -> w.contains("metadata.name%3Ddoomed-broadcast")));
    letGo("doomed-broadcast");
    assertThat(ok(wait.finished()).stdout()).contains("doomed-broadcast condition met");
  }
}
