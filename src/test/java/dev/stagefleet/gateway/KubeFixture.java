package dev.stagefleet.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.Endpoints;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import dev.stagefleet.local.EmbeddedApiServer;
import dev.stagefleet.operator.MockApiServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Local mode's API server with the LiveBroadcast CRD, and helpers to write resources as the operator would. Writes
 * are pruned, defaulted and validated by the CRD's schema as in a cluster, and merge patches follow RFC 7386 (the stock
 * mock appends to arrays, so status.stages could never shrink by a merge patch).
 */
final class KubeFixture implements AutoCloseable {
  static final String ACCOUNT = "123456789012";
  private static final ObjectMapper JSON = new ObjectMapper();

  final EmbeddedApiServer server;
  final KubernetesClient client;

  private KubeFixture() {
    server = EmbeddedApiServer.start(0, Clock.systemUTC());
    client = server.newClient();
  }

  static KubeFixture start() {
    return new KubeFixture();
  }

  /** A Secret with the API key and a LiveBroadcast referencing it. */
  LiveBroadcast createBroadcast(String ns, String name, String apiKey, int viewersPerStage, int maxStages) {
    client.secrets().inNamespace(ns).resource(new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name + "-key").withNamespace(ns)
            .withLabels(Map.of(BroadcastDirectory.READABLE_LABEL, "true")).build())
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

  /** Runs the writes as if before the CRD's schema tightened: see {@link MockApiServer#beforeTheSchemaTightened}. */
  void beforeTheSchemaTightened(Runnable writes) {
    MockApiServer.beforeTheSchemaTightened(client, writes);
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

  /** An active stage fed by IVS replication from {@code source}. */
  static StageStatus replica(String stageId, String source) {
    StageStatus stage = active(stageId);
    stage.setFeed(StageStatus.REPLICA);
    stage.setSource(source);
    return stage;
  }

  static StageStatus origin(String stageId) {
    StageStatus stage = active(stageId);
    stage.setFeed(StageStatus.ORIGIN);
    return stage;
  }

  static List<StageStatus> list(StageStatus... stages) {
    return List.of(stages);
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
