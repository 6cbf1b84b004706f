package dev.stagefleet.api.v1alpha1;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The generated LiveBroadcast CRD, read from the classpath where the crd-generator put it at build time. */
public final class CustomResourceDefinitions {
  public static final String RESOURCE = "/META-INF/fabric8/" + LiveBroadcast.CRD_NAME + "-v1.yml";

  private CustomResourceDefinitions() {
  }

  /** The CRD as YAML text. */
  public static String liveBroadcastYaml() {
    try (InputStream in = CustomResourceDefinitions.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the CRD " + RESOURCE + " is missing from the build; run mvn package");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The CRD as an object, ready to create in an API server. */
  public static CustomResourceDefinition liveBroadcast() {
    return Serialization.unmarshal(liveBroadcastYaml(), CustomResourceDefinition.class);
  }
}
