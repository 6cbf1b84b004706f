package dev.stagefleet.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the members of an IVS request body and checks them against the service model's constraints, failing with
 * IVS's {@code ValidationException} wording ({@code 1 validation error detected: Value ... at 'name' failed to satisfy
 * constraint: ...}). Lengths count Unicode scalar values, as the model's length constraints do (an emoji is one), and
 * patterns must match the whole value. Unknown members are ignored, as IVS ignores them.
 */
final class RequestFields {
  static final Pattern STAGE_ARN = Pattern.compile("arn:aws:ivs:[a-z0-9-]+:[0-9]+:stage/[a-zA-Z0-9-]+");
  static final Pattern PUBLIC_KEY_ARN = Pattern.compile("arn:aws:ivs:[a-z0-9-]+:[0-9]+:public-key/[a-zA-Z0-9-]+");
  static final Pattern RESOURCE_ARN = Pattern.compile("arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+");
  static final Pattern NAME = Pattern.compile("[a-zA-Z0-9-_]*");
  static final Pattern SESSION_ID = Pattern.compile("st-[a-zA-Z0-9]+");
  /** A participant in a stage ({@code ParticipantId}): no underscore, unlike a token's id. */
  static final Pattern PARTICIPANT_ID = Pattern.compile("[a-zA-Z0-9-]*");
  /** The id of a participant token ({@code ParticipantTokenId}), which DisconnectParticipant takes. */
  static final Pattern PARTICIPANT_TOKEN_ID = Pattern.compile("[a-zA-Z0-9-_]*");
  static final int MAX_TAGS = 50;

  private final JsonNode body;
  /** Where this structure sits in the request, for error messages: "" at the top, else "a.b." or "list.1.member.". */
  private final String path;

  RequestFields(JsonNode body) {
    this(body, "");
  }

  private RequestFields(JsonNode body, String path) {
    this.body = body == null ? MissingNode.getInstance() : body;
    this.path = path;
  }

  String requiredString(String name, int min, int max, Pattern pattern) {
    String value = optionalString(name, min, max, pattern);
    if (value == null) {
      throw violation("null", path + name, "Member must not be null");
    }
    return value;
  }

  String optionalString(String name, int min, int max, Pattern pattern) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw IvsError.serialization("Expected a string at '" + path + name + "'");
    }
    String value = node.asText();
    checkLength(value, path + name, min, max);
    if (pattern != null && !pattern.matcher(value).matches()) {
      throw violation("'" + abbreviate(value) + "'", path + name,
          "Member must satisfy regular expression pattern: " + pattern.pattern());
    }
    return value;
  }

  Integer optionalInt(String name, int min, int max) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw IvsError.serialization("Expected an integer at '" + path + name + "'");
    }
    int value = node.asInt();
    if (value < min) {
      throw violation(String.valueOf(value), path + name, "Member must have value greater than or equal to " + min);
    }
    if (value > max) {
      throw violation(String.valueOf(value), path + name, "Member must have value less than or equal to " + max);
    }
    return value;
  }

  /** A string that must be one of an enum's values, or null when absent. */
  String optionalEnum(String name, Set<String> allowed) {
    String value = optionalString(name, 0, Integer.MAX_VALUE, null);
    if (value != null && !allowed.contains(value)) {
      throw notInEnum(value, path + name, allowed);
    }
    return value;
  }

  /** A list of at most {@code maxItems} enum values, or null when absent. */
  List<String> optionalEnumList(String name, int maxItems, Set<String> allowed) {
    List<String> values = optionalStringList(name, maxItems);
    if (values != null) {
      for (String value : values) {
        if (!allowed.contains(value)) {
          throw notInEnum(value, path + name, allowed);
        }
      }
    }
    return values;
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
      throw IvsError.serialization("Expected a boolean at '" + path + name + "'");
    }
    return node.asBoolean();
  }

  /** A string-to-string map, or null when absent. */
  Map<String, String> optionalStringMap(String name) {
    return stringMap(body.get(name), path + name);
  }

  /** A tag map: at most 50 entries, keys 1-128 characters not starting with {@code aws:}, values up to 256. */
  Map<String, String> optionalTags(String name) {
    Map<String, String> tags = optionalStringMap(name);
    if (tags != null) {
      checkTags(tags, path + name);
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
    JsonNode node = optionalList(name, maxItems);
    if (node == null) {
      return null;
    }
    List<String> values = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        throw IvsError.serialization("Expected strings in the list '" + path + name + "'");
      }
      values.add(item.asText());
    }
    return values;
  }

  /** The array {@code name} of at most {@code maxItems} items, or null when absent. */
  private JsonNode optionalList(String name, int maxItems) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw IvsError.serialization("Expected a list at '" + path + name + "'");
    }
    if (node.size() > maxItems) {
      throw violation(node.size() + " items", path + name, "Member must have length less than or equal to " + maxItems);
    }
    return node;
  }

  /** A nested structure, or null when absent. */
  RequestFields optionalStructure(String name) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw IvsError.serialization("Expected a structure at '" + path + name + "'");
    }
    return new RequestFields(node, path + name + ".");
  }

  /** A list of nested structures, or null when absent. */
  List<RequestFields> optionalStructureList(String name, int maxItems) {
    JsonNode node = optionalList(name, maxItems);
    if (node == null) {
      return null;
    }
    List<RequestFields> items = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isObject()) {
        throw IvsError.serialization("Expected structures in the list '" + path + name + "'");
      }
      // AWS names list items from 1: participantTokenConfigurations.1.member.userId
      items.add(new RequestFields(item, path + name + "." + (items.size() + 1) + ".member."));
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
      checkTagKey(tag.getKey(), name + ".key");
      checkLength(tag.getValue(), name + ".value", 0, 256);
      if (tag.getKey().toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
        throw IvsError.validation("Tag keys starting with 'aws:' are reserved for AWS use: '" + tag.getKey() + "'");
      }
    }
  }

  /** Checks one tag key as TagKey constrains it: 1-128 scalar values. */
  static void checkTagKey(String key, String name) {
    checkLength(key, name, 1, 128);
  }

  static IvsError notInEnum(String value, String name, Set<String> allowed) {
    return violation("'" + abbreviate(value) + "'", name, "Member must satisfy enum value set: " + new TreeSet<>(allowed));
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
    // the model's lengths count Unicode scalar values, not UTF-16 code units: an emoji is one
    int length = value.codePointCount(0, value.length());
    if (length < min) {
      throw violation("'" + value + "'", name, "Member must have length greater than or equal to " + min);
    }
    if (length > max) {
      throw violation("'" + abbreviate(value) + "'", name, "Member must have length less than or equal to " + max);
    }
  }

  private static String abbreviate(String value) {
    if (value.codePointCount(0, value.length()) <= 40) {
      return value;
    }
    return value.substring(0, value.offsetByCodePoints(0, 37)) + "...";
  }
}
