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

  /** The columns of a resource's Table and each object's cells, as one of kube-apiserver's printers makes them. */
  interface Printer {
    /** The column definitions: name, type, format, description, priority (1 = only with -o wide). */
    List<ObjectNode> columns();

    List<JsonNode> cells(JsonNode object, Instant now);
  }

  private TableRenderer() {
  }

  static MockResponse toTable(MockResponse response, Printer printer, Clock clock) {
    JsonNode body = ApiStatus.body(response);
    List<JsonNode> objects = new ArrayList<>();
    if (body.has("items")) {
      body.path("items").forEach(objects::add);
    } else {
      objects.add(body);
    }
    ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", body.path("metadata").path("resourceVersion").asText(""));
    table.putArray("columnDefinitions").addAll(printer.columns());
    ArrayNode rows = table.putArray("rows");
    Instant now = clock.instant();
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      row.putArray("cells").addAll(printer.cells(object, now));
      ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata")
          .put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", object.path("metadata").deepCopy());
    }
    return ApiStatus.json(200, table);
  }

  static ObjectNode column(String name, String type, String format, String description, int priority) {
    return JSON.createObjectNode().put("name", name).put("type", type).put("format", format)
        .put("description", description).put("priority", priority);
  }

  /** The Table of a custom resource: Name, the CRD's additionalPrinterColumns, and Age unless a column shows it. */
  static Printer crdColumns(List<JsonNode> printerColumns) {
    boolean hasAge = printerColumns.stream()
        .anyMatch(c -> c.path("jsonPath").asText().equals(".metadata.creationTimestamp"));
    return new Printer() {
      @Override
      public List<ObjectNode> columns() {
        List<ObjectNode> definitions = new ArrayList<>();
        definitions.add(column("Name", "string", "name", "Name must be unique within a namespace.", 0));
        for (JsonNode c : printerColumns) {
          definitions.add(column(c.path("name").asText(), c.path("type").asText("string"), c.path("format").asText(""),
              c.path("description").asText(""), c.path("priority").asInt(0)));
        }
        if (!hasAge) {
          definitions.add(column("Age", "string", "", "Time since creation", 0));
        }
        return definitions;
      }

      @Override
      public List<JsonNode> cells(JsonNode object, Instant now) {
        List<JsonNode> cells = new ArrayList<>();
        cells.add(JSON.getNodeFactory().textNode(object.path("metadata").path("name").asText()));
        for (JsonNode c : printerColumns) {
          JsonNode value = evaluate(object, c.path("jsonPath").asText());
          if (value == null || value.isMissingNode() || value.isNull()) {
            cells.add(JSON.getNodeFactory().nullNode());
          } else if ("date".equals(c.path("type").asText())) {
            cells.add(JSON.getNodeFactory().textNode(age(value.asText(), now)));
          } else {
            cells.add(value);
          }
        }
        if (!hasAge) {
          cells.add(JSON.getNodeFactory().textNode(age(object.path("metadata").path("creationTimestamp").asText(""),
              now)));
        }
        return cells;
      }
    };
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
