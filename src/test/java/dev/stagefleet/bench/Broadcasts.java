package dev.stagefleet.bench;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.Phase;
import dev.stagefleet.operator.StatusRecorder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Creates benchmark LiveBroadcasts (with their API-key Secrets) and writes audience reports as a gateway would. */
public final class Broadcasts {
  private final KubernetesClient client;
  private final String namespace;

  public Broadcasts(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The API key of a broadcast created here. */
  public static String apiKey(String name) {
    return "bench-key-" + name;
  }

  /** Creates a broadcast and its key Secret; scale-down is held off for the run (stabilization 3600 s). */
  public LiveBroadcast create(String name, int viewersPerStage, int minStages, int maxStages, double targetFill) {
    return create(name, viewersPerStage, minStages, maxStages, targetFill, spec -> { });
  }

  /** Like {@link #create(String, int, int, int, double)}, with {@code tune} changing the spec before it is created. */
  public LiveBroadcast create(String name, int viewersPerStage, int minStages, int maxStages, double targetFill,
      java.util.function.Consumer<LiveBroadcastSpec> tune) {
    client.secrets().inNamespace(namespace).resource(new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name + "-key").withNamespace(namespace)
            .withLabels(Map.of(dev.stagefleet.gateway.BroadcastDirectory.READABLE_LABEL, "true")).build())
        .withData(Map.of("apiKey", Base64.getEncoder().encodeToString(apiKey(name).getBytes(StandardCharsets.UTF_8))))
        .build()).create();
    LiveBroadcast broadcast = new LiveBroadcast();
    broadcast.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    LiveBroadcastSpec spec = new LiveBroadcastSpec();
    spec.setViewersPerStage(viewersPerStage);
    spec.setMinStages(minStages);
    spec.setMaxStages(maxStages);
    spec.getScaling().setTargetFill(targetFill);
    spec.getScaling().setScaleDownStabilizationSeconds(3600);
    var broadcaster = new LiveBroadcastSpec.Broadcaster();
    broadcaster.setApiKeySecretRef(new LiveBroadcastSpec.SecretKeyRef(name + "-key", "apiKey"));
    spec.setBroadcaster(broadcaster);
    tune.accept(spec);
    broadcast.setSpec(spec);
    return client.resources(LiveBroadcast.class).inNamespace(namespace).resource(broadcast).create();
  }

  /** Changes a broadcast's spec.minStages, as {@code kubectl edit} would. */
  public void setMinStages(String name, int minStages) {
    client.resources(LiveBroadcast.class).inNamespace(namespace).withName(name).edit(b -> {
      b.getSpec().setMinStages(minStages);
      return b;
    });
  }

  public void delete(String name) {
    client.resources(LiveBroadcast.class).inNamespace(namespace).withName(name).delete();
  }

  public LiveBroadcast get(String name) {
    return client.resources(LiveBroadcast.class).inNamespace(namespace).withName(name).get();
  }

  public List<LiveBroadcast> list() {
    return client.resources(LiveBroadcast.class).inNamespace(namespace).list().getItems();
  }

  /** The status, or an empty one while the operator has not written any. */
  public static LiveBroadcastStatus status(LiveBroadcast broadcast) {
    return broadcast == null || broadcast.getStatus() == null ? new LiveBroadcastStatus() : broadcast.getStatus();
  }

  /** Active stages in the status. */
  public static long activeStages(LiveBroadcast broadcast) {
    return status(broadcast).stagesOrEmpty().stream().filter(LiveBroadcastStatus.StageStatus::isActive).count();
  }

  /**
   * Records {@code stages} as Live through the operator's own status writer (scenarios that measure the gateway alone
   * use it instead of running the operator).
   */
  public void setStages(String name, List<LiveBroadcastStatus.StageStatus> stages) {
    LiveBroadcastStatus next = new LiveBroadcastStatus();
    next.setStages(stages);
    next.setPhase(Phase.Live.name());
    next.setReadyStages(stages.size());
    next.setDesiredStages(stages.size());
    new StatusRecorder(client).record(get(name), next, null);
  }

  /** Writes {@code status.audience.<replica>} exactly as a gateway replica does. */
  public void reportAudience(String name, String replica, Map<String, Integer> viewersPerStage, Instant reportedAt) {
    client.resource(LiveBroadcast.named(namespace, name)).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE),
            AudienceReports.reportPatch(replica, viewersPerStage, 0, List.of(), reportedAt));
  }
}
