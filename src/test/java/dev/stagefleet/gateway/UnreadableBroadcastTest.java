package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.KubeFixture.active;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.operator.MockApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A LiveBroadcast the model cannot read (a string where a number belongs) never stops a gateway serving the rest. */
@Tag("apiserver")
class UnreadableBroadcastTest extends GatewayTestBase {

  /** Stores the object as given, as one stored before the CRD grew a schema (how such a value reaches a cluster). */
  static void storeRaw(String name, Map<String, Object> spec) {
    MockApiServer.beforeTheSchemaTightened(kube.client, () -> kube.client.genericKubernetesResources(LiveBroadcast.GROUP + "/" + LiveBroadcast.VERSION, "LiveBroadcast")
        .inNamespace(NS).resource(new GenericKubernetesResourceBuilder()
            .withApiVersion(LiveBroadcast.GROUP + "/" + LiveBroadcast.VERSION).withKind("LiveBroadcast")
            .withNewMetadata().withNamespace(NS).withName(name).endMetadata()
            .addToAdditionalProperties("spec", spec).build())
        .create());
  }

  @Test
  void aGatewayStartingBesideAnUnreadableBroadcastServesTheGoodOne() {
    storeRaw(uniqueName("broken"), Map.of("viewersPerStage", "fifty",
        "broadcaster", Map.of("apiKeySecretRef", Map.of("name", "broken-key"))));
    String good = broadcast("good", 10, 3);
    try (GatewayServer starting = startGateway(testSettings().toBuilder().replicaId("replica-b").build())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> starting.directory().synced());
      stagesOn(starting, good, active("ub-a"));
      var reply = new GatewayClient(starting.port()).post(base(good) + "/viewers", null);
      assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }
  }

  @Test
  void aBroadcastTurnedUnreadableIsNotServedAndTheOthersStillAre() {
    String good = broadcast("fine", 10, 3);
    String turned = broadcast("turned", 10, 3);
    stages(good, active("ut-a"));
    stages(turned, active("ut-b"));
    MockApiServer.beforeTheSchemaTightened(kube.client, () -> kube.client
        .genericKubernetesResources(LiveBroadcast.GROUP + "/" + LiveBroadcast.VERSION, "LiveBroadcast")
        .inNamespace(NS).withName(turned)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"maxStages\":\"ten\"}}"));
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.directory().find(new BroadcastKey(NS, turned))
        .map(b -> b.getSpec().unreadableBecause().isPresent()).orElse(false));

    var refused = http.post(base(turned) + "/viewers", null);
    assertThat(refused.status()).as(refused.body()).isBetween(400, 499);
    assertThat(refused.json().path("message").asText()).contains("spec.maxStages");
    var served = http.post(base(good) + "/viewers", null);
    assertThat(served.status()).as(served.body()).isEqualTo(201);
  }
}
