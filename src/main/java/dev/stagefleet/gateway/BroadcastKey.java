package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;

/** Namespace and name of a LiveBroadcast. */
public record BroadcastKey(String namespace, String name) {

  public static BroadcastKey of(LiveBroadcast broadcast) {
    return new BroadcastKey(broadcast.getMetadata().getNamespace(), broadcast.getMetadata().getName());
  }

  /** The informer cache key, {@code namespace/name}. */
  public String cacheKey() {
    return namespace + "/" + name;
  }

  /** The path of this broadcast in the gateway's API. */
  public String apiPath() {
    return "/api/v1/namespaces/" + namespace + "/livebroadcasts/" + name;
  }

  @Override
  public String toString() {
    return cacheKey();
  }
}
