package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * OpenAPI v3 documents ({@code /openapi/v3} and one per group-version), as kubectl reads them to learn that the server
 * validates fields itself ({@code fieldValidation} on every write) and to explain a kind from its CRD's schema.
 */
final class OpenApiDocuments {
  private static final String PREFIX = "/openapi/v3";
  private final StoredCrds crds;

  OpenApiDocuments(StoredCrds crds) {
    this.crds = crds;
  }

  /** The document for this path, or empty when it is not an OpenAPI v3 path. */
  Optional<MockResponse> answer(String path) {
    if (path.equals(PREFIX)) {
      ObjectNode index = ApiStatus.JSON.createObjectNode();
      ObjectNode paths = index.putObject("paths");
      paths.putObject("api/v1").put("serverRelativeURL", PREFIX + "/api/v1");
      for (JsonNode crd : crds.all()) {
        String group = crd.path("spec").path("group").asText();
        crd.path("spec").path("versions").forEach(v -> {
          String gv = "apis/" + group + "/" + v.path("name").asText();
          paths.putObject(gv).put("serverRelativeURL", PREFIX + "/" + gv);
        });
      }
      return Optional.of(ApiStatus.json(200, index));
    }
    if (!path.startsWith(PREFIX + "/")) {
      return Optional.empty();
    }
    return Optional.of(ApiPath.parse(path.substring(PREFIX.length())).filter(ApiPath::isGroupVersion)
        .map(this::document).map(d -> ApiStatus.json(200, d)).orElseGet(ApiStatus::noSuchResource));
  }

  private ObjectNode document(ApiPath gv) {
    ObjectNode doc = ApiStatus.JSON.createObjectNode().put("openapi", "3.0.0");
    doc.putObject("info").put("title", "StageFleet local API server").put("version", gv.groupVersion());
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    if (gv.group().isEmpty()) {
      for (String[] kind : new String[][] {{"secrets", "Secret", "true"}, {"configmaps", "ConfigMap", "true"},
          {"namespaces", "Namespace", "false"}, {"events", "Event", "true"}}) {
        addKind(paths, schemas, gv, kind[0], kind[1], Boolean.parseBoolean(kind[2]),
            ApiStatus.JSON.createObjectNode().put("type", "object").put("x-kubernetes-preserve-unknown-fields", true));
      }
      return doc;
    }
    for (JsonNode crd : crds.all()) {
      JsonNode spec = crd.path("spec");
      if (!spec.path("group").asText().equals(gv.group())) {
        continue;
      }
      for (JsonNode v : spec.path("versions")) {
        if (v.path("name").asText().equals(gv.version())) {
          ObjectNode schema = v.path("schema").path("openAPIV3Schema").deepCopy();
          ObjectNode properties = schema.with("properties");
          properties.putObject("apiVersion").put("type", "string");
          properties.putObject("kind").put("type", "string");
          properties.putObject("metadata").put("type", "object");
          addKind(paths, schemas, gv, spec.path("names").path("plural").asText(),
              spec.path("names").path("kind").asText(), "Namespaced".equals(spec.path("scope").asText()), schema);
        }
      }
    }
    return doc;
  }

  /** A kind's collection and object paths, every write taking {@code fieldValidation}, and its schema. */
  private static void addKind(ObjectNode paths, ObjectNode schemas, ApiPath gv, String plural, String kind,
      boolean namespaced, ObjectNode schema) {
    List<String> labels = new ArrayList<>(List.of(gv.group().split("\\.")));
    Collections.reverse(labels);
    String reversedGroup = gv.group().isEmpty() ? "io.k8s.api.core" : String.join(".", labels);
    String schemaName = reversedGroup + "." + gv.version() + "." + kind;
    ObjectNode gvk = ApiStatus.JSON.createObjectNode().put("group", gv.group()).put("version", gv.version())
        .put("kind", kind);
    schema.putArray("x-kubernetes-group-version-kind").add(gvk);
    schemas.set(schemaName, schema);
    String base = gv.path() + (namespaced ? "/namespaces/{namespace}/" : "/") + plural;
    // not ObjectNode.with: it reads a name starting with '/' as a JSON pointer and nests the path segment by segment
    operation(paths.putObject(base), "post", gvk, schemaName);
    ObjectNode item = paths.putObject(base + "/{name}");
    for (String verb : new String[] {"get", "put", "patch", "delete"}) {
      operation(item, verb, gvk, schemaName);
    }
  }

  private static void operation(ObjectNode pathItem, String verb, ObjectNode gvk, String schemaName) {
    ObjectNode op = pathItem.putObject(verb);
    op.set("x-kubernetes-group-version-kind", gvk);
    op.put("x-kubernetes-action", verb);
    if (!verb.equals("get") && !verb.equals("delete")) {
      op.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query")
          .putObject("schema").put("type", "string").put("uniqueItems", true);
    }
    op.putObject("responses").putObject("200").putObject("content").putObject("application/json")
        .putObject("schema").put("$ref", "#/components/schemas/" + schemaName);
  }
}
