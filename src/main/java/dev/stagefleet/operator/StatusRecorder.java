package dev.stagefleet.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Writes a broadcast's status as a JSON merge patch on the status subresource. The patch never carries
 * {@code status.audience}: that map belongs to the gateways, and a merge patch leaves out what it does not name, so
 * their concurrent reports are never clobbered. Nothing is written when the status would not change.
 */
public class StatusRecorder {
  static final String AUDIENCE = "audience";
  private static final ObjectMapper MAPPER = Serialization.jsonMapper();

  private final KubernetesClient client;

  public StatusRecorder(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Writes {@code next} unless the current status already says the same, and tells JOSDK's cache about the write so
   * the next reconcile sees it even before the watch event arrives.
   *
   * @return the resource as written, or {@code broadcast} when nothing changed
   */
  public LiveBroadcast record(LiveBroadcast broadcast, LiveBroadcastStatus next, Context<LiveBroadcast> context) {
    if (withoutAudience(broadcast.getStatus()).equals(withoutAudience(next))) {
      return broadcast;
    }
    LiveBroadcast written = client
        .resource(LiveBroadcast.named(broadcast.getMetadata().getNamespace(), broadcast.getMetadata().getName()))
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch(next));
    if (context != null && written != null) {
      context.eventSourceRetriever().getControllerEventSource()
          .handleRecentResourceUpdate(ResourceID.fromResource(written), written, broadcast);
    }
    return written == null ? broadcast : written;
  }

  /** The merge patch that sets {@code status} to {@code next}, without {@code audience}. */
  static String mergePatch(LiveBroadcastStatus next) {
    ObjectNode patch = MAPPER.createObjectNode();
    patch.set("status", withoutAudience(next));
    return patch.toString();
  }

  private static JsonNode withoutAudience(LiveBroadcastStatus status) {
    if (status == null) {
      return MAPPER.createObjectNode();
    }
    ObjectNode node = MAPPER.valueToTree(status);
    node.remove(AUDIENCE);
    return node;
  }
}
