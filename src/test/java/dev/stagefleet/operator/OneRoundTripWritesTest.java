package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.testing.ManualClock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The operator's writes each cost one request: fabric8 reads the object before a patch given as text unless it is
 * handed one, which doubled the round trips between a scale-up and the status write the gateways act on.
 */
@Tag("apiserver")
class OneRoundTripWritesTest {
  final List<String> requests = new CopyOnWriteArrayList<>();

  @Test
  void aStatusWriteIsOnePatchAndNoRead() {
    try (var api = new MockApiServer(this::record)) {
      LiveBroadcast created = new Broadcasts(api.client()).create("rt", "show", Broadcasts.spec(10, 1, 3, 60, 60));
      var next = new LiveBroadcastStatus();
      next.setPhase("Live");
      requests.clear();

      new StatusRecorder(api.client()).record(created, next, null);

      assertThat(requests)
          .containsExactly("PATCH /apis/live.stagefleet.dev/v1alpha1/namespaces/rt/livebroadcasts/show/status");
    }
  }

  @Test
  void aRepeatedEventIsOnePatchOfTheFirstAndNoRead() {
    try (var api = new MockApiServer(this::record)) {
      LiveBroadcast created = new Broadcasts(api.client()).create("rt", "show", Broadcasts.spec(10, 1, 3, 60, 60));
      var events = new EventRecorder(api.client(), new ManualClock(Instant.parse("2026-03-01T10:00:00Z")),
          Runnable::run);
      events.warning(created, EventRecorder.IVS_UNAVAILABLE, "IVS cannot be reached");
      requests.clear();

      events.warning(created, EventRecorder.IVS_UNAVAILABLE, "IVS cannot be reached");

      assertThat(requests).singleElement().asString().startsWith("PATCH /api/v1/namespaces/rt/events/show.");
    }
  }

  private void record(RecordedRequest request) {
    requests.add(request.getMethod() + " " + request.getPath());
  }
}
