package dev.stagefleet.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** AWS's service model of IVS real-time ({@code service-2.json}), read for tests that hold the emulator to it. */
final class IvsServiceModel {
  private static final String RESOURCE = "/ivs-realtime/service-2.json";

  /** One operation: its HTTP binding, input shape and the errors it declares. */
  record Operation(String name, String method, String requestUri, String input, Set<String> errors) {
  }

  /** A member of a structure: the shape it targets and where HTTP carries it (body, uri or querystring). */
  record Member(String name, String shape, String location, String locationName) {
    String wireName() {
      return locationName == null ? name : locationName;
    }
  }

  /**
   * A shape with its constraints. Lengths ({@code min}/{@code max}) count Unicode scalar values for strings, items for
   * lists and entries for maps (Smithy's length trait); for numbers they are the range.
   */
  record Shape(String name, String type, Long min, Long max, String pattern, List<String> enumValues,
      Map<String, Member> members, Set<String> required, String listMember, String mapKey, String mapValue) {
  }

  private final Map<String, Operation> operations = new LinkedHashMap<>();
  private final Map<String, Shape> shapes = new LinkedHashMap<>();

  private IvsServiceModel(JsonNode model) {
    model.get("operations").fields().forEachRemaining(entry -> {
      JsonNode op = entry.getValue();
      Set<String> errors = new LinkedHashSet<>();
      op.path("errors").forEach(error -> errors.add(error.get("shape").asText()));
      operations.put(entry.getKey(), new Operation(entry.getKey(), op.get("http").get("method").asText(),
          op.get("http").get("requestUri").asText(), op.get("input").get("shape").asText(), Set.copyOf(errors)));
    });
    model.get("shapes").fields().forEachRemaining(entry -> shapes.put(entry.getKey(), shape(entry.getKey(),
        entry.getValue())));
  }

  static IvsServiceModel load() {
    try (InputStream in = IvsServiceModel.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the test classpath");
      }
      return new IvsServiceModel(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Operation operation(String name) {
    Operation operation = operations.get(name);
    if (operation == null) {
      throw new IllegalArgumentException("The model has no operation " + name);
    }
    return operation;
  }

  Set<String> operationNames() {
    return operations.keySet();
  }

  Shape shape(String name) {
    Shape shape = shapes.get(name);
    if (shape == null) {
      throw new IllegalArgumentException("The model has no shape " + name);
    }
    return shape;
  }

  /** Every enum value any shape of the model declares. */
  Set<String> allEnumValues() {
    Set<String> values = new TreeSet<>();
    shapes.values().forEach(shape -> values.addAll(shape.enumValues()));
    return values;
  }

  private static Shape shape(String name, JsonNode node) {
    Map<String, Member> members = new LinkedHashMap<>();
    node.path("members").fields().forEachRemaining(entry -> {
      JsonNode member = entry.getValue();
      members.put(entry.getKey(), new Member(entry.getKey(), member.get("shape").asText(),
          member.path("location").asText(null), member.path("locationName").asText(null)));
    });
    Set<String> required = new LinkedHashSet<>();
    node.path("required").forEach(r -> required.add(r.asText()));
    List<String> enumValues = new ArrayList<>();
    node.path("enum").forEach(v -> enumValues.add(v.asText()));
    return new Shape(name, node.get("type").asText(), number(node, "min"), number(node, "max"),
        node.path("pattern").asText(null), List.copyOf(enumValues), members, required,
        node.path("member").path("shape").asText(null), node.path("key").path("shape").asText(null),
        node.path("value").path("shape").asText(null));
  }

  private static Long number(JsonNode node, String field) {
    return node.has(field) ? node.get(field).asLong() : null;
  }
}
