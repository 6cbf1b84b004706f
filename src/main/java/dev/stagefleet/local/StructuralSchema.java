package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CRD version's structural schema doing what kube-apiserver does before it validates: pruning fields the schema
 * does not declare and filling in defaults. Both change the object in place.
 */
final class StructuralSchema {
  /** Fields every object keeps whatever its schema says; metadata is ObjectMeta, not described by the CRD. */
  private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private final JsonNode root;

  StructuralSchema(JsonNode openApiV3Schema) {
    this.root = openApiV3Schema;
  }

  JsonNode root() {
    return root;
  }

  /** Removes undeclared fields and returns their paths ({@code spec.colour}), as the API server's warnings name them. */
  List<String> prune(ObjectNode object) {
    List<String> pruned = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (ROOT_FIELDS.contains(field.getKey())) {
        continue;
      }
      JsonNode schema = root.path("properties").path(field.getKey());
      if (!schema.isMissingNode()) {
        prune(field.getValue(), schema, field.getKey(), pruned);
      } else if (!preservesUnknown(root)) {
        pruned.add(field.getKey());
        it.remove();
      }
    }
    return pruned;
  }

  private static void prune(JsonNode value, JsonNode schema, String path, List<String> pruned) {
    if (value instanceof ObjectNode object) {
      JsonNode properties = schema.path("properties");
      JsonNode additional = schema.path("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String fieldPath = path + "." + field.getKey();
        JsonNode fieldSchema = properties.path(field.getKey());
        if (!fieldSchema.isMissingNode()) {
          prune(field.getValue(), fieldSchema, fieldPath, pruned);
        } else if (additional.isObject()) {
          prune(field.getValue(), additional, fieldPath, pruned);
        } else if (!preservesUnknown(schema) && !additional.asBoolean(false)) {
          pruned.add(fieldPath);
          it.remove();
        }
      }
    } else if (value instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        prune(array.get(i), schema.path("items"), path + "[" + i + "]", pruned);
      }
    }
  }

  private static boolean preservesUnknown(JsonNode schema) {
    return schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
  }

  /** Sets every missing field that has a default, at every depth, defaults inside defaults included. */
  void applyDefaults(ObjectNode object) {
    applyDefaults(object, root);
  }

  private static void applyDefaults(JsonNode value, JsonNode schema) {
    if (value instanceof ObjectNode object) {
      schema.path("properties").fields().forEachRemaining(property -> {
        JsonNode current = object.get(property.getKey());
        JsonNode defaultValue = property.getValue().get("default");
        boolean absent = current == null || current.isNull() && !property.getValue().path("nullable").asBoolean();
        if (absent && defaultValue != null) {
          object.set(property.getKey(), defaultValue.deepCopy());
        }
      });
      object.fields().forEachRemaining(field -> {
        JsonNode fieldSchema = schema.path("properties").path(field.getKey());
        applyDefaults(field.getValue(), fieldSchema.isMissingNode() ? schema.path("additionalProperties")
            : fieldSchema);
      });
    } else if (value instanceof ArrayNode array) {
      array.forEach(item -> applyDefaults(item, schema.path("items")));
    }
  }
}
