package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;

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
}
