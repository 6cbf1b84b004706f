package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Renders objects as a {@code meta.k8s.io/v1 Table}, as the API server does for {@code kubectl get}. */
final class TableRenderer {
  private static final ObjectMapper JSON = ApiStatus.JSON;
  private static final Pattern FILTER = Pattern.compile("\\[\\?\\(@\\.([A-Za-z0-9_]+)==[\"']([^\"']*)[\"']\\)\\]");

  private TableRenderer() {
  }

  static MockResponse toTable(MockResponse response, List<JsonNode> printerColumns, Clock clock) {
    JsonNode body = ApiStatus.body(response);
    List<JsonNode> objects = new ArrayList<>();
    if (body.has("items")) {
      body.path("items").forEach(objects::add);
    } else {
      objects.add(body);
    }
    ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", body.path("metadata").path("resourceVersion").asText(""));
    ArrayNode definitions = table.putArray("columnDefinitions");
    definitions.addObject().put("name", "Name").put("type", "string").put("format", "name")
        .put("description", "Name must be unique within a namespace.").put("priority", 0);
    List<JsonNode> columns = new ArrayList<>(printerColumns);
    boolean hasAge = columns.stream().anyMatch(c -> c.path("jsonPath").asText().equals(".metadata.creationTimestamp"));
    for (JsonNode c : columns) {
      definitions.addObject().put("name", c.path("name").asText()).put("type", c.path("type").asText("string"))
          .put("format", c.path("format").asText("")).put("description", c.path("description").asText(""))
          .put("priority", c.path("priority").asInt(0));
    }
    if (!hasAge) {
      definitions.addObject().put("name", "Age").put("type", "string").put("format", "")
          .put("description", "Time since creation").put("priority", 0);
    }
    ArrayNode rows = table.putArray("rows");
    Instant now = clock.instant();
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(object.path("metadata").path("name").asText());
      for (JsonNode c : columns) {
        JsonNode value = evaluate(object, c.path("jsonPath").asText());
        if (value == null || value.isMissingNode() || value.isNull()) {
          cells.addNull();
        } else if ("date".equals(c.path("type").asText())) {
          cells.add(age(value.asText(), now));
        } else {
          cells.add(value);
        }
      }
      if (!hasAge) {
        cells.add(age(object.path("metadata").path("creationTimestamp").asText(""), now));
      }
      ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata")
          .put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", object.path("metadata").deepCopy());
    }
    return ApiStatus.json(200, table);
  }

  /** Evaluates the simple JSONPath subset CRD printer columns use: fields, [n] and [?(@.field=="value")]. */
  static JsonNode evaluate(JsonNode root, String path) {
    JsonNode node = root;
    String rest = path.startsWith(".") ? path.substring(1) : path;
    while (!rest.isEmpty() && node != null && !node.isMissingNode()) {
      if (rest.startsWith("[")) {
        Matcher m = FILTER.matcher(rest);
        if (m.lookingAt()) {
          JsonNode found = null;
          for (JsonNode element : node) {
            if (element.path(m.group(1)).asText().equals(m.group(2))) {
              found = element;
              break;
            }
          }
          node = found;
          rest = rest.substring(m.end());
        } else {
          int close = rest.indexOf(']');
          if (close < 0) {
            return null;
          }
          try {
            node = node.path(Integer.parseInt(rest.substring(1, close)));
          } catch (NumberFormatException e) {
            return null;
          }
          rest = rest.substring(close + 1);
        }
      } else {
        if (rest.startsWith(".")) {
          rest = rest.substring(1);
        }
        int end = 0;
        while (end < rest.length() && rest.charAt(end) != '.' && rest.charAt(end) != '[') {
          end++;
        }
        node = node.path(rest.substring(0, end));
        rest = rest.substring(end);
      }
    }
    return node;
  }

  /** kubectl's short age: 42s, 5m, 3h, 2d. */
  static String age(String timestamp, Instant now) {
    try {
      Duration d = Duration.between(Instant.parse(timestamp), now);
      long s = Math.max(0, d.getSeconds());
      if (s < 120) {
        return s + "s";
      }
      if (s < 3600 * 3) {
        return (s / 60) + "m";
      }
      if (s < 86400 * 2) {
        return (s / 3600) + "h";
      }
      return (s / 86400) + "d";
    } catch (DateTimeParseException e) {
      return "<unknown>";
    }
  }
}
