package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's view of the cluster: LiveBroadcasts and their API-key Secrets (those labelled {@link #READABLE_LABEL})
 * in the watched namespaces, kept current by informers.
 * Answers "which stages exist" and "what is this broadcast's API key" without calling IVS or the API server.
 */
public final class BroadcastDirectory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BroadcastDirectory.class);
  /**
   * The label an API-key Secret carries (value {@code "true"}) for the gateway to read it: the gateway watches only
   * those Secrets, never every Secret of the namespace.
   */
  public static final String READABLE_LABEL = "stagefleet.dev/gateway-readable";

  private final KubernetesClient client;
  private final List<String> namespaces;
  private final List<SharedIndexInformer<LiveBroadcast>> broadcastInformers = new ArrayList<>();
  private final List<SharedIndexInformer<Secret>> secretInformers = new ArrayList<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  /** The broadcasts of a directory that watches nothing ({@link #fixed}); null when informers keep it. */
  private final Map<String, LiveBroadcast> fixed;

  /** Told about every change of a LiveBroadcast; called on an informer thread, so it must return quickly. */
  public interface Listener {
    void changed(LiveBroadcast broadcast);

    void removed(LiveBroadcast lastKnown);
  }

  public BroadcastDirectory(KubernetesClient client, List<String> namespaces) {
    this.client = client;
    this.namespaces = List.copyOf(namespaces);
    this.fixed = null;
  }

  private BroadcastDirectory(Collection<LiveBroadcast> broadcasts) {
    this.client = null;
    this.namespaces = List.of();
    Map<String, LiveBroadcast> byKey = new LinkedHashMap<>();
    for (LiveBroadcast b : broadcasts) {
      byKey.put(BroadcastKey.of(b).cacheKey(), b);
    }
    this.fixed = Map.copyOf(byKey);
  }

  /**
   * A directory of the given broadcasts that watches no cluster and never changes (the start-up warm-up's): synced
   * from the start, with no Secrets; {@link #start} tells the listeners about each broadcast once.
   */
  static BroadcastDirectory fixed(Collection<LiveBroadcast> broadcasts) {
    return new BroadcastDirectory(broadcasts);
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** Starts the informers; the future completes when all have listed their resources once. */
  public CompletableFuture<Void> start() {
    if (fixed != null) {
      fixed.values().forEach(b -> listeners.forEach(l -> l.changed(b)));
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<?>> started = new ArrayList<>();
    if (namespaces.isEmpty()) {
      started.add(startBroadcasts(client.resources(LiveBroadcast.class).inAnyNamespace().runnableInformer(0)));
      started.add(startSecrets(client.secrets().inAnyNamespace().withLabel(READABLE_LABEL, "true")
          .runnableInformer(0)));
    } else {
      for (String ns : namespaces) {
        started.add(startBroadcasts(client.resources(LiveBroadcast.class).inNamespace(ns).runnableInformer(0)));
        started.add(startSecrets(client.secrets().inNamespace(ns).withLabel(READABLE_LABEL, "true")
            .runnableInformer(0)));
      }
    }
    return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<?> startBroadcasts(SharedIndexInformer<LiveBroadcast> informer) {
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(LiveBroadcast obj) {
        reportUnreadable(null, obj);
        listeners.forEach(l -> l.changed(obj));
      }

      @Override
      public void onUpdate(LiveBroadcast oldObj, LiveBroadcast newObj) {
        reportUnreadable(oldObj, newObj);
        listeners.forEach(l -> l.changed(newObj));
      }

      @Override
      public void onDelete(LiveBroadcast obj, boolean deletedFinalStateUnknown) {
        listeners.forEach(l -> l.removed(obj));
      }
    });
    // keep retrying when the API server is away or the CRD is not installed yet, instead of giving up
    informer.exceptionHandler((started, t) -> {
      LOG.warn("watching LiveBroadcasts failed, retrying: {}", t.getMessage());
      return true;
    });
    broadcastInformers.add(informer);
    return informer.start().toCompletableFuture();
  }

  /**
   * One log line when a broadcast arrives with a value of the wrong type (the lenient model reads it as an invalid
   * spec, which is never served, instead of failing the whole watch), and again only when the reason changes.
   */
  private static void reportUnreadable(LiveBroadcast before, LiveBroadcast now) {
    String why = unreadable(now);
    if (why != null && !why.equals(before == null ? null : unreadable(before))) {
      LOG.warn("LiveBroadcast {}/{} cannot be read ({}); it is not served until it is fixed",
          now.getMetadata().getNamespace(), now.getMetadata().getName(), why);
    }
  }

  private static String unreadable(LiveBroadcast broadcast) {
    if (broadcast.getSpec() != null && broadcast.getSpec().unreadableBecause().isPresent()) {
      return broadcast.getSpec().unreadableBecause().get();
    }
    return broadcast.getStatus() == null ? null : broadcast.getStatus().unreadableBecause().orElse(null);
  }

  private CompletableFuture<?> startSecrets(SharedIndexInformer<Secret> informer) {
    informer.exceptionHandler((started, t) -> {
      LOG.warn("watching Secrets failed, retrying: {}", t.getMessage());
      return true;
    });
    secretInformers.add(informer);
    return informer.start().toCompletableFuture();
  }

  /** True once every informer has listed its resources. */
  public boolean synced() {
    if (fixed != null) {
      return true;
    }
    return !broadcastInformers.isEmpty() && broadcastInformers.stream().allMatch(SharedIndexInformer::hasSynced)
        && secretInformers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /** The broadcast, if it exists in a watched namespace. */
  public Optional<LiveBroadcast> find(BroadcastKey key) {
    if (fixed != null) {
      return Optional.ofNullable(fixed.get(key.cacheKey()));
    }
    for (SharedIndexInformer<LiveBroadcast> informer : broadcastInformers) {
      LiveBroadcast found = informer.getStore().getByKey(key.cacheKey());
      if (found != null) {
        return Optional.of(found);
      }
    }
    return Optional.empty();
  }

  /** Every known broadcast. */
  public Collection<LiveBroadcast> all() {
    if (fixed != null) {
      return fixed.values();
    }
    List<LiveBroadcast> all = new ArrayList<>();
    broadcastInformers.forEach(i -> all.addAll(i.getStore().list()));
    return all;
  }

  /** The broadcaster's API key from the Secret the broadcast references; empty when the Secret or key is missing. */
  public Optional<byte[]> apiKey(LiveBroadcast broadcast) {
    var broadcaster = broadcast.getSpec() == null ? null : broadcast.getSpec().getBroadcaster();
    if (broadcaster == null || broadcaster.getApiKeySecretRef() == null
        || broadcaster.getApiKeySecretRef().getName() == null) {
      return Optional.empty();
    }
    var ref = broadcaster.getApiKeySecretRef();
    String cacheKey = broadcast.getMetadata().getNamespace() + "/" + ref.getName();
    for (SharedIndexInformer<Secret> informer : secretInformers) {
      Secret secret = informer.getStore().getByKey(cacheKey);
      if (secret != null) {
        return secretValue(secret, ref.getKey() == null ? "apiKey" : ref.getKey())
            .map(v -> v.strip().getBytes(StandardCharsets.UTF_8)).filter(v -> v.length > 0);
      }
    }
    return Optional.empty();
  }

  /** One value of a Secret, from {@code data} (base64) or, as some API servers keep it, {@code stringData}. */
  public static Optional<String> secretValue(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      try {
        return Optional.of(new String(Base64.getMimeDecoder().decode(data.get(key)), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    Map<String, String> stringData = secret.getStringData();
    return stringData == null ? Optional.empty() : Optional.ofNullable(stringData.get(key));
  }

  @Override
  public void close() {
    broadcastInformers.forEach(SharedIndexInformer::close);
    secretInformers.forEach(SharedIndexInformer::close);
  }
}
