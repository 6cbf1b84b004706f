package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

/**
 * Filters a list by a field selector ({@code involvedObject.name=x,type!=Normal}), which the CRUD store ignores; kubectl
 * describe finds an object's Events this way.
 */
final class FieldSelector {
  private FieldSelector() {
  }

  static MockResponse filter(MockResponse response, String selector) {
    JsonNode body = ApiStatus.body(response);
    if (!body.has("items")) {
      return response;
    }
    ObjectNode filtered = body.deepCopy();
    var items = filtered.putArray("items");
    for (JsonNode item : body.path("items")) {
      if (matches(item, selector)) {
        items.add(item);
      }
    }
    return ApiStatus.json(200, filtered);
  }

  static boolean matches(JsonNode object, String selector) {
    for (String term : selector.split(",")) {
      if (term.isBlank()) {
        continue;
      }
      boolean negated = term.contains("!=");
      String[] kv = term.split(negated ? "!=" : "==?", 2);
      if (kv.length != 2) {
        continue;
      }
      String actual = TableRenderer.evaluate(object, "." + kv[0].trim()).asText("");
      if (actual.equals(kv[1].trim()) == negated) {
        return false;
      }
    }
    return true;
  }
}
