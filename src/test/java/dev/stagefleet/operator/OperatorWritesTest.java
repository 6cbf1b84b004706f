package dev.stagefleet.operator;

import static dev.stagefleet.operator.Broadcasts.spec;
import static dev.stagefleet.operator.Broadcasts.stageIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the operator sends to the API server: never a LiveBroadcast's {@code spec}, which belongs to the user. A write
 * carrying one (such as a server-side apply of a defaults-filled spec) would reset the user's settings on a cluster
 * and take ownership of their fields.
 */
@Tag("apiserver")
class OperatorWritesTest {
  static final String OPERATOR = "stagefleet-operator-under-test";
  static final Duration WAIT = Duration.ofSeconds(15);
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** One request the operator sent that could change something. */
  record Write(String method, String path, String contentType, String body) {
    boolean onBroadcast() {
      return path.contains("/livebroadcasts");
    }

    /** True when the body sets or changes anything under {@code spec} (apply/merge body or JSON patch ops). */
    boolean carriesSpec() {
      if (body == null || body.isBlank()) {
        return false;
      }
      try {
        JsonNode tree = YAML.readTree(body); // JSON is YAML too; apply patches may be either
        if (tree.isArray()) {
          for (JsonNode op : tree) {
            if (op.path("path").asText().startsWith("/spec")) {
              return true;
            }
          }
          return false;
        }
        return tree.has("spec");
      } catch (IOException e) {
        throw new UncheckedIOException("unparseable body of " + this, e);
      }
    }
  }

  /** Keeps every non-GET request the operator's client sent, as sent (before the API server's admission). */
  static final class RecordingObserver implements Consumer<RecordedRequest> {
    final List<Write> writes = new CopyOnWriteArrayList<>();

    @Override
    public void accept(RecordedRequest request) {
      if (OPERATOR.equals(request.getHeader("User-Agent")) && !"GET".equals(request.getMethod())) {
        writes.add(new Write(request.getMethod(), request.getPath(), request.getHeader("Content-Type"),
            // getBytes leaves the body for the CRUD store; the read methods would drain it
            request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8)));
      }
    }

    List<Write> broadcastWrites() {
      return writes.stream().filter(Write::onBroadcast).toList();
    }

    void assertNoSpecWritten() {
      assertThat(broadcastWrites()).as("writes of the operator to LiveBroadcasts carrying spec")
          .filteredOn(Write::carriesSpec).isEmpty();
    }
  }

  static OperatorSettings settings() {
    // The production defaults (patch strategy included), with only the waits shortened.
    return OperatorSettings.builder()
        .clusterId("writes-test")
        .healthPort(-1)
        .leaderElection(true).leaseNamespace("stagefleet-system")
        .inventoryRefreshInterval(Duration.ofMillis(200))
        .resyncInterval(Duration.ofMillis(500))
        .retryBackoff(Duration.ofMillis(200)).maxRetryBackoff(Duration.ofSeconds(1))
        .orphanGracePeriod(Duration.ofSeconds(1)).build();
  }

  @Test
  void neverWritesTheSpecFromCreateThroughScalingAndDrainToDelete() {
    var recorder = new RecordingObserver();
    try (var api = new MockApiServer(recorder); KubernetesClient operatorClient = api.clientAs(OPERATOR);
        var runtime = new OperatorRuntime(settings(), operatorClient, new InMemoryIvs("us-east-1"),
            Clock.systemUTC()).start()) {
      var broadcasts = new Broadcasts(api.client());
      broadcasts.create("shows", "lifecycle", spec(10, 1, 5, 1, 1));
      await().atMost(WAIT).untilAsserted(() -> {
        recorder.assertNoSpecWritten();
        assertThat(broadcasts.get("shows", "lifecycle").getMetadata().getFinalizers())
            .contains(LiveBroadcast.FINALIZER);
        assertThat(stageIds(broadcasts.status("shows", "lifecycle"), StageStatus.ACTIVE)).hasSize(1);
      });
      String first = stageIds(broadcasts.status("shows", "lifecycle"), null).get(0);

      broadcasts.reportAudience("shows", "lifecycle", "gw-1", Map.of(first, 30));
      await().atMost(WAIT).untilAsserted(() -> {
        recorder.assertNoSpecWritten();
        assertThat(stageIds(broadcasts.status("shows", "lifecycle"), StageStatus.ACTIVE)).hasSize(3);
      });

      broadcasts.reportAudience("shows", "lifecycle", "gw-1", Map.of(first, 1));
      await().atMost(WAIT).untilAsserted(() -> {
        recorder.assertNoSpecWritten();
        assertThat(stageIds(broadcasts.status("shows", "lifecycle"), null)).containsExactly(first);
      });

      broadcasts.delete("shows", "lifecycle");
      await().atMost(WAIT).untilAsserted(() -> {
        recorder.assertNoSpecWritten();
        assertThat(broadcasts.get("shows", "lifecycle")).isNull();
      });
    }
    assertThat(recorder.broadcastWrites()).as("the finalizer was added and removed, the status written")
        .anyMatch(w -> w.body().contains(LiveBroadcast.FINALIZER))
        .anyMatch(w -> w.path().contains("/status"));
    recorder.assertNoSpecWritten();
  }

  @Test
  void theServerSideApplyOfTheFinalizerCarriesOnlyMetadata() {
    var recorder = new RecordingObserver();
    // The mock cannot apply (it answers 415), but the body JOSDK sends is what a real API server would apply.
    try (var api = new MockApiServer(recorder); KubernetesClient operatorClient = api.clientAs(OPERATOR);
        var runtime = new OperatorRuntime(settings().toBuilder().serverSideApply(true).build(), operatorClient,
            new InMemoryIvs("us-east-1"), Clock.systemUTC()).start()) {
      new Broadcasts(api.client()).create("shows", "applied", spec(10, 1, 5, 1, 1));
      await().atMost(WAIT).until(() -> recorder.broadcastWrites().stream()
          .anyMatch(w -> String.valueOf(w.contentType()).contains("apply-patch")));
    }
    Write apply = recorder.broadcastWrites().stream()
        .filter(w -> String.valueOf(w.contentType()).contains("apply-patch")).findFirst().orElseThrow();
    assertThat(apply.body()).contains(LiveBroadcast.FINALIZER);
    assertThat(apply.carriesSpec()).as("spec in the applied body %s", apply.body()).isFalse();
  }
}
