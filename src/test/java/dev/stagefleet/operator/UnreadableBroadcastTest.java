package dev.stagefleet.operator;

import static dev.stagefleet.operator.Broadcasts.degradedReason;
import static dev.stagefleet.operator.Broadcasts.isReady;
import static dev.stagefleet.operator.Broadcasts.spec;
import static dev.stagefleet.operator.Broadcasts.stageIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A LiveBroadcast with a value of the wrong type (stored raw, as an API server without the CRD's schema keeps it)
 * neither stops the operator nor keeps it from reconciling the others: it is reported, and left alone.
 */
@Tag("apiserver")
class UnreadableBroadcastTest {
  static final Duration WAIT = Duration.ofSeconds(15);

  static GenericKubernetesResource raw(String namespace, String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder().withApiVersion(LiveBroadcast.GROUP + "/" + LiveBroadcast.VERSION)
        .withKind("LiveBroadcast").withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .addToAdditionalProperties("spec", spec).build();
  }

  static Map<String, Object> specWithMaxStages(Object maxStages) {
    return Map.of("maxStages", maxStages, "broadcaster", Map.of("apiKeySecretRef", Map.of("name", "show-key")));
  }

  @Test
  void aBroadcastWithAStringWhereANumberBelongsIsReportedWhileTheOthersAreReconciled() {
    try (var api = new MockApiServer()) {
      KubernetesClient client = api.client();
      var generic = client.genericKubernetesResources(LiveBroadcast.GROUP + "/" + LiveBroadcast.VERSION,
          "LiveBroadcast");
      // stored before the operator starts, so its first list already holds it
      // only an object stored before the CRD grew a schema can hold such a value in a cluster
      MockApiServer.beforeTheSchemaTightened(client, () ->
          generic.inNamespace("shows").resource(raw("shows", "broken", specWithMaxStages("ten"))).create());
      var ivs = new InMemoryIvs("us-east-1");
      var settings = OperatorSettings.builder().clusterId("unreadable-test").healthPort(-1)
          .leaderElection(false).inventoryRefreshInterval(Duration.ofMillis(200))
          .resyncInterval(Duration.ofMillis(500)).orphanGracePeriod(Duration.ofSeconds(1)).build();
      try (var runtime = new OperatorRuntime(settings, client, ivs, Clock.systemUTC()).start()) {
        var broadcasts = new Broadcasts(client);
        broadcasts.create("shows", "good", spec(10, 2, 5, 60, 60));
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(isReady(broadcasts.status("shows", "good"))).isTrue();
          assertThat(stageIds(broadcasts.status("shows", "good"), null)).hasSize(2);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(broadcasts.events("shows", "broken"))
            .filteredOn(e -> "Warning".equals(e.getType())).extracting(Event::getMessage)
            .anyMatch(m -> m.contains("spec.maxStages") && m.contains("ten")));
        assertThat(degradedReason(broadcasts.status("shows", "broken"))).isEqualTo(ConditionTypes.REASON_INVALID_SPEC);

        // turned unreadable while live, as by kubectl patch --type=merge: it keeps its stages, the others go on
        broadcasts.create("shows", "later", spec(10, 1, 5, 60, 60));
        await().atMost(WAIT).until(() -> stageIds(broadcasts.status("shows", "later"), null).size() == 1);
        MockApiServer.beforeTheSchemaTightened(client, () -> generic.inNamespace("shows").withName("later")
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"minStages\":\"two\"}}"));
        await().atMost(WAIT).until(() -> ConditionTypes.REASON_INVALID_SPEC
            .equals(degradedReason(broadcasts.status("shows", "later"))));
        broadcasts.editSpec("shows", "good", s -> s.setMinStages(3));
        await().atMost(WAIT).until(() -> stageIds(broadcasts.status("shows", "good"), null).size() == 3);
        assertThat(stageIds(broadcasts.status("shows", "later"), null)).hasSize(1);
        assertThat(runtime.isReady()).as("every informer healthy").isTrue();
        assertThat(runtime.termination()).isNotDone();
      }
    }
  }
}
