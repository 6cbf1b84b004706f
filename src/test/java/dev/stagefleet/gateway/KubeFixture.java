package dev.stagefleet.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.CustomResourceDefinitions;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.Endpoints;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import dev.stagefleet.local.MergePatchingCrudDispatcher;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's CRUD mock API server with the LiveBroadcast CRD, and helpers to write resources as the operator would.
 * It uses the project's {@link MergePatchingCrudDispatcher}: the stock dispatcher applies merge patches with Jackson's
 * readerForUpdating, which appends to arrays and keeps nulls, so status.stages could never shrink by a merge patch.
 */
final class KubeFixture implements AutoCloseable {
  static final String ACCOUNT = "123456789012";
  private static final ObjectMapper JSON = new ObjectMapper();

  final KubernetesMockServer server;
  final KubernetesClient client;

  private KubeFixture() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new MergePatchingCrudDispatcher(), false);
    server.init();
    client = server.createClient();
    client.apiextensions().v1().customResourceDefinitions().resource(CustomResourceDefinitions.liveBroadcast())
        .create();
  }

  static KubeFixture start() {
    return new KubeFixture();
  }

  /** A Secret with the API key and a LiveBroadcast referencing it. */
  LiveBroadcast createBroadcast(String ns, String name, String apiKey, int viewersPerStage, int maxStages) {
    client.secrets().inNamespace(ns).resource(new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name + "-key").withNamespace(ns).build())
        .withData(Map.of("apiKey", Base64.getEncoder().encodeToString(apiKey.getBytes(StandardCharsets.UTF_8))))
        .build()).create();
    LiveBroadcast broadcast = new LiveBroadcast();
    broadcast.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    LiveBroadcastSpec spec = new LiveBroadcastSpec();
    spec.setViewersPerStage(viewersPerStage);
    spec.setMaxStages(maxStages);
    var broadcaster = new LiveBroadcastSpec.Broadcaster();
    broadcaster.setApiKeySecretRef(new LiveBroadcastSpec.SecretKeyRef(name + "-key", "apiKey"));
    spec.setBroadcaster(broadcaster);
    broadcast.setSpec(spec);
    LiveBroadcast created = client.resources(LiveBroadcast.class).inNamespace(ns).resource(broadcast).create();
    patchStatus(ns, name, Map.of("phase", "Pending"));
    return created;
  }

  /** Writes status.stages with a JSON merge patch on the status subresource, as the operator does. */
  void setStages(String ns, String name, StageStatus... stages) {
    patchStatus(ns, name, Map.of("stages", Arrays.asList(stages)));
  }

  /** A JSON merge patch on the status subresource, as the operator and the gateway write status. */
  void patchStatus(String ns, String name, Map<String, Object> status) {
    try {
      client.resources(LiveBroadcast.class).inNamespace(ns).withName(name).subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.writeValueAsString(Map.of("status", status)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code status.audience.<replica>} as another gateway replica would. */
  void reportAudience(String ns, String name, String replica, Map<String, Integer> viewers, Instant at) {
    client.resources(LiveBroadcast.class).inNamespace(ns).withName(name).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), AudienceReports.reportPatch(replica, viewers, 0, List.of(), at));
  }

  LiveBroadcast get(String ns, String name) {
    return client.resources(LiveBroadcast.class).inNamespace(ns).withName(name).get();
  }

  void delete(String ns, String name) {
    client.resources(LiveBroadcast.class).inNamespace(ns).withName(name).delete();
  }

  static String arn(String stageId) {
    return "arn:aws:ivs:us-east-1:" + ACCOUNT + ":stage/" + stageId;
  }

  static StageStatus active(String stageId) {
    return stage(stageId, StageStatus.ACTIVE, null);
  }

  static StageStatus draining(String stageId) {
    return stage(stageId, StageStatus.DRAINING, null);
  }

  static StageStatus stage(String stageId, String state, Integer viewers) {
    return new StageStatus(stageId, arn(stageId), state, viewers, "2026-01-01T00:00:00Z",
        new Endpoints("wss://global.events.live-video.net", "https://global.whip.live-video.net"),
        StageStatus.DRAINING.equals(state) ? "2026-01-01T00:10:00Z" : null);
  }

  static List<StageStatus> list(StageStatus... stages) {
    return List.of(stages);
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
