package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.ivs.IvsService;
import java.util.Map;
import java.util.Optional;

/**
 * The tags that make a stage StageFleet's and name its owner. Ownership is decided by these tags, never by the
 * status alone: a stage created just before a crash is found again by its tags and adopted.
 */
public final class StageTags {
  public static final String MANAGED_BY = "stagefleet.dev/managed-by";
  public static final String OWNER_UID = "stagefleet.dev/owner-uid";
  public static final String NAMESPACE = "stagefleet.dev/namespace";
  public static final String NAME = "stagefleet.dev/name";
  public static final String CLUSTER = "stagefleet.dev/cluster";
  /** {@link #MANAGED_BY} value of a managed stage. */
  public static final String STAGEFLEET = "stagefleet";
  /** {@link #MANAGED_BY} value of a stage kept when its broadcast was deleted with the retain policy. */
  public static final String RETAINED = "retained";

  private StageTags() {
  }

  /** Who owns a stage, as its tags say. */
  public record Owner(String cluster, String namespace, String name, String uid) {
  }

  /** The tags of a new stage of {@code broadcast} in cluster {@code clusterId}. */
  public static Map<String, String> of(String clusterId, LiveBroadcast broadcast) {
    var meta = broadcast.getMetadata();
    return Map.of(MANAGED_BY, STAGEFLEET, OWNER_UID, meta.getUid(), NAMESPACE, meta.getNamespace(),
        NAME, meta.getName(), CLUSTER, clusterId);
  }

  /** True when the stage is managed by StageFleet (in any cluster). */
  public static boolean isManaged(IvsService.Stage stage) {
    return stage.tags() != null && STAGEFLEET.equals(stage.tags().get(MANAGED_BY));
  }

  /** The owner named by a managed stage's tags; empty when the stage is not managed or its tags are incomplete. */
  public static Optional<Owner> owner(IvsService.Stage stage) {
    if (!isManaged(stage)) {
      return Optional.empty();
    }
    var tags = stage.tags();
    String uid = tags.get(OWNER_UID);
    String cluster = tags.get(CLUSTER);
    if (uid == null || uid.isEmpty() || cluster == null) {
      return Optional.empty();
    }
    return Optional.of(new Owner(cluster, tags.get(NAMESPACE), tags.get(NAME), uid));
  }

  /** True when the stage belongs to the broadcast with this uid in this cluster. */
  public static boolean isOwnedBy(IvsService.Stage stage, String clusterId, String uid) {
    return owner(stage).filter(o -> o.cluster().equals(clusterId) && o.uid().equals(uid)).isPresent();
  }
}
