package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * kube-apiserver's Table printer for core Events: LAST SEEN, TYPE, REASON, OBJECT ({@code kind/name}), MESSAGE, and
 * with {@code -o wide} SUBOBJECT, SOURCE, FIRST SEEN, COUNT and NAME. Times read as the API server's long human
 * durations ({@code 5m30s}, {@code 3h20m}), not the short ages of other tables.
 */
final class EventPrinter implements TableRenderer.Printer {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<ObjectNode> COLUMNS = List.of(
      TableRenderer.column("Last Seen", "string", "", "The time at which the most recent occurrence of this event "
          + "was recorded.", 0),
      TableRenderer.column("Type", "string", "", "Type of this event (Normal, Warning), new types could be added in "
          + "the future", 0),
      TableRenderer.column("Reason", "string", "", "This should be a short, machine understandable string that gives "
          + "the reason for the transition into the object's current status.", 0),
      TableRenderer.column("Object", "string", "", "The object that this event is about.", 0),
      TableRenderer.column("Subobject", "string", "", "If referring to a piece of an object instead of an entire "
          + "object, this string should contain a valid JSON/Go field access statement.", 1),
      TableRenderer.column("Source", "string", "", "The component reporting this event. Should be a short machine "
          + "understandable string.", 1),
      TableRenderer.column("Message", "string", "", "A human-readable description of the status of this operation.",
          0),
      TableRenderer.column("First Seen", "string", "", "The time at which the event was first recorded. (Time of "
          + "server receipt is in TypeMeta.)", 1),
      TableRenderer.column("Count", "string", "", "The number of times this event has occurred.", 1),
      TableRenderer.column("Name", "string", "name", "Name must be unique within a namespace.", 1));

  @Override
  public List<ObjectNode> columns() {
    return COLUMNS;
  }

  @Override
  public List<JsonNode> cells(JsonNode event, Instant now) {
    String first = event.hasNonNull("firstTimestamp") ? since(event.path("firstTimestamp").asText(), now)
        : since(event.path("eventTime").asText(""), now);
    String last = event.hasNonNull("lastTimestamp") ? since(event.path("lastTimestamp").asText(), now) : first;
    long count = event.path("count").asLong(0);
    JsonNode series = event.path("series");
    if (series.isObject()) {
      last = since(series.path("lastObservedTime").asText(""), now);
      count = series.path("count").asLong(0);
    } else if (count == 0) {
      count = 1; // a singleton event of the newer API has no count
    }
    JsonNode involved = event.path("involvedObject");
    String kind = involved.path("kind").asText("").toLowerCase(Locale.ROOT);
    String name = involved.path("name").asText("");
    String target = name.isEmpty() ? kind : kind + "/" + name;
    String component = firstNonEmpty(event.path("source").path("component").asText(""),
        event.path("reportingComponent").asText(""));
    String host = firstNonEmpty(event.path("source").path("host").asText(""),
        event.path("reportingInstance").asText(""));
    return List.of(NODES.textNode(last), NODES.textNode(event.path("type").asText("")),
        NODES.textNode(event.path("reason").asText("")), NODES.textNode(target),
        NODES.textNode(involved.path("fieldPath").asText("")),
        NODES.textNode(host.isEmpty() ? component : component + ", " + host),
        NODES.textNode(event.path("message").asText("").strip()), NODES.textNode(first), NODES.numberNode(count),
        NODES.textNode(event.path("metadata").path("name").asText("")));
  }

  private static String firstNonEmpty(String a, String b) {
    return a.isEmpty() ? b : a;
  }

  /** apimachinery's {@code TranslateTimestampSince}: {@code <unknown>} without a time, else the human duration. */
  static String since(String timestamp, Instant now) {
    if (timestamp.isEmpty()) {
      return "<unknown>";
    }
    try {
      return humanDuration(Duration.between(Instant.parse(timestamp), now));
    } catch (DateTimeParseException e) {
      return "<unknown>";
    }
  }

  /** apimachinery's {@code duration.HumanDuration}: two units while they matter (90s, 5m30s, 3h20m, 2d4h), then one. */
  static String humanDuration(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < -1) {
      return "<invalid>";
    }
    if (seconds < 0) {
      return "0s";
    }
    if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + seconds % 60 + "s";
    }
    if (minutes < 180) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      return minutes % 60 == 0 ? hours + "h" : hours + "h" + minutes % 60 + "m";
    }
    if (hours < 48) {
      return hours + "h";
    }
    if (hours < 24 * 8) {
      return hours % 24 == 0 ? hours / 24 + "d" : hours / 24 + "d" + hours % 24 + "h";
    }
    if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    }
    long days = hours / 24;
    if (hours < 24 * 365 * 8) {
      return days % 365 == 0 ? days / 365 + "y" : days / 365 + "y" + days % 365 + "d";
    }
    return days / 365 + "y";
  }
}
