package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The CRUD store answers every request: a failure inside the mock's handlers is a 500 Status, never a hang. */
@Tag("unit")
class MergePatchingCrudDispatcherTest {

  @Test
  void aHandlerThatThrowsIsAnsweredWithAnInternalErrorStatus() {
    MergePatchingCrudDispatcher dispatcher = new MergePatchingCrudDispatcher() {
      @Override
      public MockResponse handlePatch(RecordedRequest request) {
        throw new IllegalStateException("[MOVE Operation] Missing field \"stage-a\"");
      }
    };
    RecordedRequest patch = new RecordedRequest("HTTP/1.1", HttpMethod.PATCH,
        "/apis/live.stagefleet.dev/v1alpha1/namespaces/default/livebroadcasts/show/status",
        Headers.builder().add("Content-Type", "application/merge-patch+json").build(),
        new Buffer("{\"status\":{}}".getBytes(StandardCharsets.UTF_8)));

    MockResponse answer = dispatcher.dispatch(patch);

    assertThat(answer.code()).isEqualTo(500);
    assertThat(ApiStatus.body(answer).path("reason").asText()).isEqualTo("InternalError");
    assertThat(ApiStatus.body(answer).path("message").asText()).contains("Missing field");
  }

  @Test
  void onlyAChangeGetsANewResourceVersionAndOnlyASpecChangeANewGeneration() throws Exception {
    MergePatchingCrudDispatcher store = new MergePatchingCrudDispatcher();
    String stored = "{\"metadata\":{\"name\":\"show\",\"resourceVersion\":\"7\",\"generation\":3},"
        + "\"spec\":{\"viewersPerStage\":10},\"status\":{\"audience\":{\"gw-1\":{\"stage-a\":4}}}}";

    ObjectNode same = (ObjectNode) ApiStatus.JSON.readTree(stored);
    store.touchResourceVersion(ApiStatus.JSON.readTree(stored), same);
    store.touchGeneration(ApiStatus.JSON.readTree(stored), same);
    assertThat(same.path("metadata").path("resourceVersion").asText()).isEqualTo("7");
    assertThat(same.path("metadata").path("generation").asInt()).isEqualTo(3);

    // the audience moves from one stage to another: the kind of change a JSON diff would write as a move
    ObjectNode statusOnly = (ObjectNode) ApiStatus.JSON.readTree(stored.replace("stage-a", "stage-b"));
    store.touchGeneration(ApiStatus.JSON.readTree(stored), statusOnly);
    store.touchResourceVersion(ApiStatus.JSON.readTree(stored), statusOnly);
    assertThat(statusOnly.path("metadata").path("resourceVersion").asText()).isNotEqualTo("7");
    assertThat(statusOnly.path("metadata").path("generation").asInt()).isEqualTo(3);

    ObjectNode spec = (ObjectNode) ApiStatus.JSON.readTree(stored.replace(":10}", ":20}"));
    store.touchGeneration(ApiStatus.JSON.readTree(stored), spec);
    assertThat(spec.path("metadata").path("generation").asInt()).isEqualTo(4);
  }
}
