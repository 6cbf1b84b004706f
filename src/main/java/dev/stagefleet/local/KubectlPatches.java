package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;

/**
 * Strategic merge patches, which the CRUD store refuses (415), rewritten as JSON merge patches. kubectl apply patches
 * built-in kinds so; for the kinds kept here (Secrets, ConfigMaps, Namespaces) a merge patch without the directives
 * does the same.
 */
final class KubectlPatches {
  static final String STRATEGIC = "application/strategic-merge-patch+json";
  static final String MERGE = "application/merge-patch+json";

  private KubectlPatches() {
  }

  static final String APPLY = "application/apply-patch+yaml";

  static boolean isServerSideApply(RecordedRequest request) {
    return String.valueOf(request.getHeader("Content-Type")).startsWith(APPLY);
  }

  /** Server-side apply needs field ownership, which this API server does not keep: refused at once, not half-done. */
  static ApiException serverSideApplyRefused() {
    return new ApiException(415, "UnsupportedMediaType", "server-side apply is not supported by the StageFleet local"
        + " API server; run kubectl apply without --server-side");
  }

  static boolean isStrategic(RecordedRequest request) {
    return String.valueOf(request.getHeader("Content-Type")).startsWith(STRATEGIC);
  }

  /** The same request to PATH as a JSON merge patch without the strategic-merge directives. */
  static RecordedRequest asMergePatch(RecordedRequest request, String path) {
    JsonNode patch;
    try {
      patch = ApiStatus.JSON.readTree(request.getBody().getBytes());
    } catch (IOException e) {
      throw ApiException.badRequest("the patch is not valid JSON: " + e.getMessage());
    }
    removeDirectives(patch);
    Headers headers = request.getHeaders().newBuilder().set("Content-Type", MERGE).build();
    return new RecordedRequest(request.method().name() + " " + path + " HTTP/1.1", request.method(), path, headers,
        new Buffer(patch.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** Drops {@code $patch}, {@code $setElementOrder/...} and the other directives, at every depth. */
  private static void removeDirectives(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.properties().removeIf(field -> field.getKey().startsWith("$"));
    }
    node.forEach(KubectlPatches::removeDirectives);
  }
}
