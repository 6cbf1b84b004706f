package dev.stagefleet.local;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.gateway.BroadcastDirectory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The example LiveBroadcast local mode applies, with the API-key Secret it references. */
final class SampleBroadcast {
  private SampleBroadcast() {
  }

  /**
   * Applies the example (a resource of the jar) in {@code namespace} with windows short enough to watch scaling down,
   * and returns the fresh API key its Secret holds.
   */
  static String apply(KubernetesClient client, String resource, String namespace) {
    String apiKey = randomKey();
    List<HasMetadata> objects;
    try (InputStream in = SampleBroadcast.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the example " + resource + " is missing from the jar; rebuild with mvn "
            + "package");
      }
      objects = client.load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (HasMetadata object : objects) {
      object.getMetadata().setNamespace(namespace);
      if (object instanceof LiveBroadcast lb) {
        lb.getSpec().getScaling().setScaleDownStabilizationSeconds(30);
        lb.getSpec().getScaling().setDrainTimeoutSeconds(60);
        // the examples ship no key: local mode makes the Secret the broadcast references, holding the printed key
        var ref = lb.getSpec().getBroadcaster().getApiKeySecretRef();
        client.resource(new SecretBuilder()
            .withNewMetadata().withName(ref.getName()).withNamespace(namespace)
            .addToLabels(BroadcastDirectory.READABLE_LABEL, "true").endMetadata()
            .withStringData(Map.of(ref.getKey() == null ? "apiKey" : ref.getKey(), apiKey)).build()).create();
      }
      client.resource(object).create();
    }
    return apiKey;
  }

  private static String randomKey() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
