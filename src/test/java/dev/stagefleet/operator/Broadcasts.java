package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Test helpers around LiveBroadcasts in a (mock) API server: create, read, report an audience, read Events. */
final class Broadcasts {
  private final KubernetesClient client;

  Broadcasts(KubernetesClient client) {
    this.client = client;
  }

  static LiveBroadcastSpec spec(int viewersPerStage, int min, int max, int windowSeconds, int drainSeconds) {
    var spec = new LiveBroadcastSpec();
    spec.setViewersPerStage(viewersPerStage);
    spec.setMinStages(min);
    spec.setMaxStages(max);
    spec.getScaling().setTargetFill(1.0);
    spec.getScaling().setScaleDownStabilizationSeconds(windowSeconds);
    spec.getScaling().setDrainTimeoutSeconds(drainSeconds);
    var broadcaster = new LiveBroadcastSpec.Broadcaster();
    broadcaster.setApiKeySecretRef(new LiveBroadcastSpec.SecretKeyRef("show-key", "apiKey"));
    spec.setBroadcaster(broadcaster);
    return spec;
  }

  LiveBroadcast create(String namespace, String name, LiveBroadcastSpec spec) {
    return create(namespace, name, spec, Map.of());
  }

  LiveBroadcast create(String namespace, String name, LiveBroadcastSpec spec, Map<String, String> annotations) {
    var lb = new LiveBroadcast();
    lb.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withAnnotations(annotations).build());
    lb.setSpec(spec);
    return client.resources(LiveBroadcast.class).inNamespace(namespace).resource(lb).create();
  }

  /** As the resource a crashed operator saw: the mock API server keeps a uid given on create. */
  LiveBroadcast createWithUid(String namespace, String name, String uid, LiveBroadcastSpec spec) {
    var lb = new LiveBroadcast();
    lb.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withUid(uid).build());
    lb.setSpec(spec);
    return client.resources(LiveBroadcast.class).inNamespace(namespace).resource(lb).create();
  }

  LiveBroadcast get(String namespace, String name) {
    return client.resources(LiveBroadcast.class).inNamespace(namespace).withName(name).get();
  }

  LiveBroadcastStatus status(String namespace, String name) {
    LiveBroadcast lb = get(namespace, name);
    return lb == null || lb.getStatus() == null ? new LiveBroadcastStatus() : lb.getStatus();
  }

  void editSpec(String namespace, String name, Consumer<LiveBroadcastSpec> change) {
    client.resources(LiveBroadcast.class).inNamespace(namespace).withName(name).edit(lb -> {
      change.accept(lb.getSpec());
      return lb;
    });
  }

  void delete(String namespace, String name) {
    client.resources(LiveBroadcast.class).inNamespace(namespace).withName(name).delete();
  }

  /** What a gateway replica does: a merge patch of its own entry in status.audience. */
  void reportAudience(String namespace, String name, String replica, Map<String, Integer> viewers) {
    reportAudience(namespace, name, replica, viewers, Instant.now());
  }

  void reportAudience(String namespace, String name, String replica, Map<String, Integer> viewers, Instant at) {
    reportAudience(namespace, name, replica, viewers, 0, at);
  }

  /** A gateway replica's report that also holds {@code waiting} viewers for a seat. */
  void reportAudience(String namespace, String name, String replica, Map<String, Integer> viewers, int waiting,
      Instant at) {
    client.resources(LiveBroadcast.class).inNamespace(namespace).withName(name).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE),
            AudienceReports.reportPatch(replica, viewers, waiting, List.of(), at));
  }

  static Optional<Condition> condition(LiveBroadcastStatus status, String type) {
    return status.condition(type);
  }

  static boolean isReady(LiveBroadcastStatus status) {
    return status.condition(ConditionTypes.READY).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  static String degradedReason(LiveBroadcastStatus status) {
    return status.condition(ConditionTypes.DEGRADED).filter(c -> "True".equals(c.getStatus()))
        .map(Condition::getReason).orElse(null);
  }

  static List<String> stageIds(LiveBroadcastStatus status, String state) {
    return status.stagesOrEmpty().stream().filter(s -> state == null || state.equals(s.getState()))
        .map(LiveBroadcastStatus.StageStatus::getId).toList();
  }

  List<Event> events(String namespace, String name) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> e.getInvolvedObject() != null && name.equals(e.getInvolvedObject().getName())).toList();
  }

  List<String> eventReasons(String namespace, String name) {
    return events(namespace, name).stream().map(Event::getReason).toList();
  }
}
