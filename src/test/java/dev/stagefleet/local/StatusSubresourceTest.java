package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded API server keeps a custom resource's spec and status apart as a cluster does. */
class StatusSubresourceTest {
  static EmbeddedApiServer api;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = EmbeddedApiServer.start(0, Clock.systemUTC());
    client = api.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    api.close();
  }

  static Resource<LiveBroadcast> created(String name) {
    client.resource(EmbeddedApiServerTest.broadcast(name)).create();
    return client.resources(LiveBroadcast.class).inNamespace("default").withName(name);
  }

  static LiveBroadcastStatus status(String phase) {
    var status = new LiveBroadcastStatus();
    status.setPhase(phase);
    return status;
  }

  @Test
  void aWriteToTheObjectIgnoresStatusAndAWriteToStatusIgnoresTheRest() {
    var resource = created("split");
    var withStatus = EmbeddedApiServerTest.broadcast("split");
    withStatus.setStatus(status("Live"));
    assertThat(client.resource(EmbeddedApiServerTest.broadcast("other")).create().getStatus())
        .as("a create keeps no status").isNull();

    var lb = resource.get();
    lb.setStatus(status("Live"));
    lb.getSpec().setMaxStages(7);
    client.resource(lb).update();
    assertThat(resource.get().getStatus()).as("an update of the object keeps the stored status").isNull();
    assertThat(resource.get().getSpec().getMaxStages()).isEqualTo(7);

    lb = resource.get();
    lb.setStatus(status("Live"));
    lb.getSpec().setMaxStages(9);
    client.resource(lb).updateStatus();
    assertThat(resource.get().getStatus().getPhase()).isEqualTo("Live");
    assertThat(resource.get().getSpec().getMaxStages()).as("a status update keeps the stored spec").isEqualTo(7);
  }

  @Test
  void generationCountsSpecChangesOnly() {
    var resource = created("counted");
    assertThat(resource.get().getMetadata().getGeneration()).isEqualTo(1L);
    resource.edit(lb -> {
      lb.getMetadata().setLabels(java.util.Map.of("team", "a"));
      return lb;
    });
    var lb = resource.get();
    lb.setStatus(status("Live"));
    client.resource(lb).updateStatus();
    assertThat(resource.get().getMetadata().getGeneration()).as("labels and status are no spec change")
        .isEqualTo(1L);
    resource.edit(b -> {
      b.getSpec().setMaxStages(3);
      return b;
    });
    assertThat(resource.get().getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void anUpdateWithAStaleResourceVersionIsAConflict() {
    var resource = created("raced");
    var first = resource.get();
    var second = resource.get();
    first.getSpec().setMaxStages(4);
    client.resource(first).update();
    second.getSpec().setMaxStages(5);
    assertThatThrownBy(() -> client.resource(second).update()).isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    second.setStatus(status("Live"));
    assertThatThrownBy(() -> client.resource(second).updateStatus())
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    assertThat(resource.get().getSpec().getMaxStages()).isEqualTo(4);
  }

  @Test
  void aFinalizerHoldsDeletionWithTheDeletionTimestampSetUntilItIsRemoved() {
    var resource = created("held");
    resource.edit(lb -> {
      lb.getMetadata().setFinalizers(List.of("live.stagefleet.dev/stages"));
      return lb;
    });
    resource.delete();
    var deleting = resource.get();
    assertThat(deleting).as("the finalizer holds the object").isNotNull();
    assertThat(deleting.getMetadata().getDeletionTimestamp()).isNotBlank();
    resource.edit(lb -> {
      lb.getMetadata().setFinalizers(List.of());
      return lb;
    });
    assertThat(resource.get()).as("gone once the last finalizer is removed").isNull();
  }

  @Test
  void aMergePatchThatMovesACountToAnotherKeyIsApplied() {
    var resource = created("moving");
    var status = resource.subresource("status");
    status.patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
        "{\"status\":{\"audience\":{\"gw-1\":{\"viewers\":{\"stage-a\":1},\"reportedAt\":\"2026-12-02T10:00:00Z\"}}}}");

    status.patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
        "{\"status\":{\"audience\":{\"gw-1\":{\"viewers\":{\"stage-a\":null,\"stage-b\":1}}}}}");

    assertThat(resource.get().getStatus().getAudience().get("gw-1").getViewers()).containsOnlyKeys("stage-b");
  }
}
