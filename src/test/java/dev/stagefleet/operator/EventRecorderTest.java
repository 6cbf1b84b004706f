package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.testing.ManualClock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("apiserver")
class EventRecorderTest {
  final MockApiServer api = new MockApiServer();
  final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
  final Queue<Runnable> writer = new ArrayDeque<>();
  final EventRecorder events = new EventRecorder(api.client(), clock, writer::add);

  @AfterEach
  void stop() {
    api.close();
  }

  static LiveBroadcast broadcast() {
    var lb = new LiveBroadcast();
    lb.setMetadata(new ObjectMetaBuilder().withNamespace("ev").withName("show").withUid("uid-1").build());
    return lb;
  }

  @Test
  void recordingAnEventLeavesTheApiWriteToTheWriterSoTheReconcileGoesOn() {
    var lb = broadcast();
    events.normal(lb, EventRecorder.STAGE_CREATED, "Created stage a");
    events.normal(lb, EventRecorder.SCALED_UP, "Scaled up to 2 active stages");

    assertThat(api.client().v1().events().inNamespace("ev").list().getItems())
        .as("nothing written while the reconcile runs").isEmpty();
    assertThat(writer).hasSize(2);

    lb.getMetadata().setName("renamed-meanwhile");
    writer.forEach(Runnable::run);
    assertThat(api.client().v1().events().inNamespace("ev").list().getItems())
        .extracting(Event::getReason, e -> e.getInvolvedObject().getName())
        .containsExactlyInAnyOrder(tuple(EventRecorder.STAGE_CREATED, "show"),
            tuple(EventRecorder.SCALED_UP, "show"));
  }

  @Test
  void aRepeatWrittenLaterStillBumpsTheFirstEventsCount() {
    var lb = broadcast();
    events.warning(lb, EventRecorder.IVS_UNAVAILABLE, "IVS cannot be reached");
    events.warning(lb, EventRecorder.IVS_UNAVAILABLE, "IVS cannot be reached");
    while (!writer.isEmpty()) {
      writer.poll().run();
    }

    assertThat(api.client().v1().events().inNamespace("ev").list().getItems())
        .singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(2));
  }

  @Test
  void eventsOfAPassReachTheWriterOnlyWhenThePassEndsInTheOrderRecorded() {
    var lb = broadcast();
    try (EventRecorder.Pass pass = events.pass()) {
      events.normal(lb, EventRecorder.STAGE_CREATED, "Created stage a");
      try (EventRecorder.Pass inner = events.pass()) {
        events.normal(lb, EventRecorder.SCALED_UP, "Scaled up to 2 active stages");
      }
      assertThat(writer).as("held until the outer pass (its status write done) ends").isEmpty();
    }
    assertThat(writer).hasSize(2);
    writer.poll().run();
    assertThat(api.client().v1().events().inNamespace("ev").list().getItems())
        .extracting(Event::getReason).containsExactly(EventRecorder.STAGE_CREATED);

    events.normal(lb, EventRecorder.DRAINING, "Draining stage a");
    assertThat(writer).as("outside a pass an event goes to the writer at once").hasSize(2);
  }
}
