package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import io.fabric8.kubernetes.api.model.Event;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("apiserver")
class LocalModeTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  LocalSettings settings(int audience, boolean sample, Set<String> without) {
    return new LocalSettings(0, 0, 0, dir.resolve("kubeconfig"), dir.resolve("ready.json"), sample, without, audience,
        Duration.ofSeconds(2), false, null);
  }

  LiveBroadcast sample(LocalMode local) {
    return local.client().resources(LiveBroadcast.class).inNamespace(LocalMode.NAMESPACE)
        .withName(LocalMode.SAMPLE_NAME).get();
  }

  @Test
  void applyingTheExampleAgainKeepsTheApiKeyLocalModePrinted() throws Exception {
    var local = new LocalMode(settings(0, true, Set.of()), Clock.systemUTC(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start();
    try {
      // as kubectl apply -f deploy/examples/minimal.yaml would
      for (var object : local.client().load(Files.newInputStream(Path.of("deploy/examples/minimal.yaml"))).items()) {
        local.client().resource(object).inNamespace(LocalMode.NAMESPACE)
            .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::patch);
      }
      var reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              local.gatewayUrl().resolve("/api/v1/namespaces/default/livebroadcasts/launch-party/stages"))
          .header("x-api-key", local.apiKey()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(reply.statusCode()).as(reply.body()).isNotIn(401, 403);
      var secret = local.client().secrets().inNamespace(LocalMode.NAMESPACE).withName("launch-party-key").get();
      assertThat(dev.stagefleet.gateway.BroadcastDirectory.secretValue(secret, "apiKey")).contains(local.apiKey());
    } finally {
      local.close();
    }
  }

  @Test
  void simulatedAudienceScalesTheSampleUpAndDownAndShutdownLeavesNoStage() throws Exception {
    var output = new ByteArrayOutputStream();
    var local = new LocalMode(settings(100, true, Set.of()), Clock.systemUTC(),
        new PrintStream(output, true, StandardCharsets.UTF_8)).start();
    try {
      // 100 viewers at 50 per stage filled to 80% need 3 stages
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        LiveBroadcastStatus status = sample(local).getStatus();
        assertThat(status).isNotNull();
        assertThat(status.getReadyStages()).isEqualTo(3);
        assertThat(status.getViewers()).isEqualTo(100);
      });
      assertThat(local.emulator().stages()).hasSize(3);
      List<Event> events = local.client().v1().events().inNamespace(LocalMode.NAMESPACE).list().getItems();
      assertThat(events).extracting(Event::getReason).contains("ScaledUp");

      // the gateway hands the broadcaster a PUBLISH token for every stage
      JsonNode stages = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              local.gatewayUrl().resolve("/api/v1/namespaces/default/livebroadcasts/launch-party/stages"))
          .header("x-api-key", local.apiKey()).build(), HttpResponse.BodyHandlers.ofString()).body());
      assertThat(stages.path("stages")).hasSize(3);
      stages.path("stages").forEach(s -> assertThat(s.path("token").asText()).isNotBlank());

      // the audience leaves; with a short window the surplus stages drain and go
      var lb = sample(local);
      lb.getSpec().getScaling().setScaleDownStabilizationSeconds(1);
      lb.getSpec().getScaling().setDrainTimeoutSeconds(5);
      local.client().resource(lb).update();
      local.stopAudience();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(sample(local).getStatus().getStages()).hasSize(1);
        assertThat(local.emulator().stages()).hasSize(1);
      });
      assertThat(output.toString(StandardCharsets.UTF_8)).contains("default/launch-party", "viewers=100");
    } finally {
      local.close();
    }
    assertThat(local.emulator().stages()).as("shutdown deletes every stage").isEmpty();
  }

  @Test
  void removesItsKubeconfigOnTheWayOut() throws Exception {
    new LocalMode(settings(0, false, Set.of("operator")), Clock.systemUTC(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start().close();
    assertThat(dir.resolve("kubeconfig")).as("a kubeconfig for an API server that is gone").doesNotExist();
  }

  @Test
  void writesAKubeconfigAndAReadyFileAndRunsWithoutTheOperator() throws Exception {
    try (var local = new LocalMode(settings(0, false, Set.of("operator")), Clock.systemUTC(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start()) {
      JsonNode ready = JSON.readTree(Files.readString(dir.resolve("ready.json")));
      assertThat(ready.path("apiServer").asText()).isEqualTo(local.apiServer().url());
      assertThat(ready.path("gateway").asText()).startsWith("http://127.0.0.1:");
      assertThat(ready.path("ivsEndpoint").asText()).isEqualTo(local.emulator().endpoint().toString());
      assertThat(Files.readString(dir.resolve("kubeconfig"))).contains("server: " + local.apiServer().url());
      var health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(ready.path("gateway").asText() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(local.client().resources(LiveBroadcast.class).inAnyNamespace().list().getItems()).isEmpty();
    }
  }

  @Test
  void aMissingPageBundleIsOneClearError() {
    var settings = new LocalSettings(0, 0, 0, dir.resolve("kubeconfig"), null, false, Set.of(), 0,
        Duration.ofSeconds(1), false, dir.resolve("no-such-pages"));
    assertThatThrownBy(() -> new LocalMode(settings, Clock.systemUTC(), System.out).start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-pages");
  }

  @Test
  void anUnwritableReadyFileIsOneClearErrorBeforeAnyPartStarts() {
    var output = new ByteArrayOutputStream();
    var settings = new LocalSettings(0, 0, 0, dir.resolve("kubeconfig"), dir, false, Set.of(), 0,
        Duration.ofSeconds(1), false, null);
    assertThatThrownBy(() -> new LocalMode(settings, Clock.systemUTC(),
        new PrintStream(output, true, StandardCharsets.UTF_8)).start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot write the ready file " + dir + ": it is a directory");
    assertThat(output.toString(StandardCharsets.UTF_8)).as("no part started, so none had to stop").isEmpty();
  }

  @Test
  void aReadyFileFromAnEarlierRunIsRemovedAtStartAndTheReadyFileAtShutdown() throws Exception {
    Path ready = Files.writeString(dir.resolve("ready.json"), "{\"gateway\":\"http://127.0.0.1:1\"}");
    try (var busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      var settings = new LocalSettings(0, 0, busy.getLocalPort(), dir.resolve("kubeconfig"), ready, false,
          Set.of("operator"), 0, Duration.ofSeconds(1), false, null);
      assertThatThrownBy(() -> new LocalMode(settings, Clock.systemUTC(), System.out).start())
          .hasMessageContaining("already in use");
    }
    assertThat(ready).as("a script waiting for it must not read the earlier run's ports").doesNotExist();

    var local = new LocalMode(settings(0, false, Set.of("operator")), Clock.systemUTC(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start();
    assertThat(ready).exists();
    local.close();
    assertThat(ready).doesNotExist();
  }
}
