package dev.stagefleet.api.v1alpha1;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The LiveBroadcast CRD as installed: maintained beside the Java model for what the crd-generator cannot say (column
 * order, descriptions of every node, the condition list-map, formats, bounds) and kept in step with the CRD the
 * generator derives from the model at build time ({@link #GENERATED}) by a test.
 */
public final class CustomResourceDefinitions {
  public static final String RESOURCE = "/META-INF/stagefleet/" + LiveBroadcast.CRD_NAME + "-v1.yml";
  /** Where the crd-generator writes the CRD it derives from the Java model. */
  public static final String GENERATED = "/META-INF/fabric8/" + LiveBroadcast.CRD_NAME + "-v1.yml";

  private CustomResourceDefinitions() {
  }

  /** The CRD as YAML text. */
  public static String liveBroadcastYaml() {
    return read(RESOURCE);
  }

  /** The CRD text at a classpath resource. */
  static String read(String resource) {
    try (InputStream in = CustomResourceDefinitions.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the CRD " + resource + " is missing from the build; run mvn package");
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
