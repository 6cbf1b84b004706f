package dev.stagefleet.ivs.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the members of an IVS request body and checks them against the service model's constraints, failing with
 * IVS's {@code ValidationException} wording ({@code 1 validation error detected: Value ... at 'name' failed to satisfy
 * constraint: ...}). Unknown members are ignored, as IVS ignores them.
 */
final class RequestFields {
  static final Pattern STAGE_ARN = Pattern.compile("arn:aws:ivs:[a-z0-9-]+:[0-9]+:stage/[a-zA-Z0-9-]+");
  static final Pattern PUBLIC_KEY_ARN = Pattern.compile("arn:aws:ivs:[a-z0-9-]+:[0-9]+:public-key/[a-zA-Z0-9-]+");
  static final Pattern RESOURCE_ARN = Pattern.compile("arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+");
  static final Pattern NAME = Pattern.compile("[a-zA-Z0-9-_]*");
  static final Pattern SESSION_ID = Pattern.compile("st-[a-zA-Z0-9]+");
  static final Pattern PARTICIPANT_ID = Pattern.compile("[a-zA-Z0-9_-]*");
  static final int MAX_TAGS = 50;

  private final JsonNode body;

  RequestFields(JsonNode body) {
    this.body = body == null ? MissingNode.getInstance() : body;
  }

  String requiredString(String name, int min, int max, Pattern pattern) {
    String value = optionalString(name, min, max, pattern);
    if (value == null) {
      throw violation("null", name, "Member must not be null");
    }
    return value;
  }

  String optionalString(String name, int min, int max, Pattern pattern) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw IvsError.serialization("Expected a string at '" + name + "'");
    }
    String value = node.asText();
    checkLength(value, name, min, max);
    if (pattern != null && !pattern.matcher(value).matches()) {
      throw violation("'" + value + "'", name, "Member must satisfy regular expression pattern: " + pattern.pattern());
    }
    return value;
  }

  Integer optionalInt(String name, int min, int max) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw IvsError.serialization("Expected an integer at '" + name + "'");
    }
    int value = node.asInt();
    if (value < min) {
      throw violation(String.valueOf(value), name, "Member must have value greater than or equal to " + min);
    }
    if (value > max) {
      throw violation(String.valueOf(value), name, "Member must have value less than or equal to " + max);
    }
    return value;
  }

  int maxResults(int max, int defaultValue) {
    Integer value = optionalInt("maxResults", 1, max);
    return value == null ? defaultValue : value;
  }

  Boolean optionalBoolean(String name) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isBoolean()) {
      throw IvsError.serialization("Expected a boolean at '" + name + "'");
    }
    return node.asBoolean();
  }

  /** A string-to-string map, or null when absent. */
  Map<String, String> optionalStringMap(String name) {
    return stringMap(body.get(name), name);
  }

  /** A tag map: at most 50 entries, keys 1-128 characters not starting with {@code aws:}, values up to 256. */
  Map<String, String> optionalTags(String name) {
    Map<String, String> tags = optionalStringMap(name);
    if (tags != null) {
      checkTags(tags, name);
    }
    return tags;
  }

  /** Attributes of a participant: at most 1 KB of keys and values together. */
  Map<String, String> optionalAttributes(String name) {
    Map<String, String> attributes = optionalStringMap(name);
    if (attributes != null) {
      int bytes = 0;
      for (Map.Entry<String, String> entry : attributes.entrySet()) {
        bytes += entry.getKey().getBytes(StandardCharsets.UTF_8).length
            + entry.getValue().getBytes(StandardCharsets.UTF_8).length;
      }
      if (bytes > 1024) {
        throw IvsError.validation("The attributes of a participant must not exceed 1 KB in total (got " + bytes
            + " bytes)");
      }
    }
    return attributes;
  }

  List<String> optionalStringList(String name, int maxItems) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw IvsError.serialization("Expected a list at '" + name + "'");
    }
    if (node.size() > maxItems) {
      throw violation(String.valueOf(node.size()) + " items", name,
          "Member must have length less than or equal to " + maxItems);
    }
    List<String> values = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        throw IvsError.serialization("Expected strings in the list '" + name + "'");
      }
      values.add(item.asText());
    }
    return values;
  }

  /** A nested structure, or null when absent. */
  RequestFields optionalStructure(String name) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw IvsError.serialization("Expected a structure at '" + name + "'");
    }
    return new RequestFields(node);
  }

  /** A list of nested structures, or null when absent. */
  List<RequestFields> optionalStructureList(String name, int maxItems) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw IvsError.serialization("Expected a list at '" + name + "'");
    }
    if (node.size() > maxItems) {
      throw violation(node.size() + " items", name, "Member must have length less than or equal to " + maxItems);
    }
    List<RequestFields> items = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isObject()) {
        throw IvsError.serialization("Expected structures in the list '" + name + "'");
      }
      items.add(new RequestFields(item));
    }
    return items;
  }

  JsonNode raw(String name) {
    JsonNode node = body.get(name);
    return node == null || node.isNull() ? null : node;
  }

  boolean has(String name) {
    JsonNode node = body.get(name);
    return node != null && !node.isNull();
  }

  static void checkTags(Map<String, String> tags, String name) {
    if (tags.size() > MAX_TAGS) {
      throw violation(tags.size() + " tags", name, "Member must have length less than or equal to " + MAX_TAGS);
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      checkLength(tag.getKey(), name + ".key", 1, 128);
      checkLength(tag.getValue(), name + ".value", 0, 256);
      if (tag.getKey().toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
        throw IvsError.validation("Tag keys starting with 'aws:' are reserved for AWS use: '" + tag.getKey() + "'");
      }
    }
  }

  static IvsError violation(String value, String name, String constraint) {
    return IvsError.validation("1 validation error detected: Value " + value + " at '" + name
        + "' failed to satisfy constraint: " + constraint);
  }

  private static Map<String, String> stringMap(JsonNode node, String name) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw IvsError.serialization("Expected a map at '" + name + "'");
    }
    Map<String, String> map = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getValue().isTextual()) {
        throw IvsError.serialization("Expected string values in the map '" + name + "'");
      }
      map.put(field.getKey(), field.getValue().asText());
    }
    return map;
  }

  private static void checkLength(String value, String name, int min, int max) {
    if (value.length() < min) {
      throw violation("'" + value + "'", name, "Member must have length greater than or equal to " + min);
    }
    if (value.length() > max) {
      throw violation("'" + abbreviate(value) + "'", name, "Member must have length less than or equal to " + max);
    }
  }

  private static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 37) + "...";
  }
}
