package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.proto.Runtime;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' protobuf encoding, which kubectl's typed clients send for built-in kinds ({@code kubectl create
 * namespace}, {@code create secret}), read into the JSON the CRUD store keeps: the {@code k8s\0} envelope, the kind's
 * message from the Kubernetes Java client's generated classes, and each field as the JSON encoding writes it (empty
 * strings and zero numbers left out, times as RFC 3339, quantities and int-or-strings as scalars).
 */
final class ProtobufBodies {
  static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final String PROTO_PACKAGE = "io.kubernetes.client.proto.";
  private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";

  private ProtobufBodies() {
  }

  static boolean isProtobuf(RecordedRequest request) {
    return String.valueOf(request.getHeader("Content-Type")).startsWith(CONTENT_TYPE);
  }

  /** The same request with its body as JSON. */
  static RecordedRequest asJson(RecordedRequest request) {
    ObjectNode json = toJson(request.getBody().readByteArray());
    return new RecordedRequest(request.getRequestLine(), request.method(), request.getPath(),
        request.getHeaders().newBuilder().set("Content-Type", "application/json").build(),
        new Buffer().writeUtf8(json.toString()));
  }

  /** An encoded object as JSON; a body that is not one is the client's mistake (415 or 400, never a 500). */
  static ObjectNode toJson(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
      throw new ApiException(400, "BadRequest", "the protobuf body does not start with the k8s\\0 envelope");
    }
    try {
      Runtime.Unknown unknown = Runtime.Unknown.parseFrom(Arrays.copyOfRange(body, MAGIC.length, body.length));
      String apiVersion = unknown.getTypeMeta().getApiVersion();
      String kind = unknown.getTypeMeta().getKind();
      ObjectNode object = ApiStatus.JSON.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
      object.setAll(fields(parse(apiVersion, kind, unknown.getRaw())));
      return object;
    } catch (InvalidProtocolBufferException e) {
      throw new ApiException(400, "BadRequest", "the protobuf body cannot be read: " + e.getMessage());
    }
  }

  /** The message of {@code kind}, from the generated class the Java client names after the group-version. */
  private static Message parse(String apiVersion, String kind, ByteString raw) {
    // an apiVersion, not a path: "v1" for the core group, "<group>/<version>" for the others
    int slash = apiVersion.indexOf('/');
    String version = apiVersion.substring(slash + 1);
    String outer = Character.toUpperCase(version.charAt(0)) + version.substring(1);
    if (slash > 0) {
      String group = apiVersion.substring(0, slash).split("\\.")[0];
      outer += Character.toUpperCase(group.charAt(0)) + group.substring(1);
    }
    try {
      Class<?> type = Class.forName(PROTO_PACKAGE + outer + "$" + kind);
      return (Message) type.getMethod("parseFrom", ByteString.class).invoke(null, raw);
    } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
      throw new ApiException(415, "UnsupportedMediaType", "the StageFleet local API server reads " + apiVersion + " "
          + kind + " only as application/json");
    } catch (InvocationTargetException e) {
      throw new ApiException(400, "BadRequest", "the protobuf " + kind + " cannot be read: "
          + e.getCause().getMessage());
    }
  }

  private static ObjectNode fields(Message message) {
    ObjectNode object = ApiStatus.JSON.createObjectNode();
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      FieldDescriptor fd = field.getKey();
      JsonNode value;
      if (fd.isMapField()) {
        ObjectNode map = ApiStatus.JSON.createObjectNode();
        for (Object entry : (List<?>) field.getValue()) {
          Message e = (Message) entry;
          FieldDescriptor valueField = e.getDescriptorForType().findFieldByName("value");
          map.set(String.valueOf(e.getField(e.getDescriptorForType().findFieldByName("key"))),
              value(valueField, e.getField(valueField)));
        }
        value = map;
      } else if (fd.isRepeated()) {
        ArrayNode array = ApiStatus.JSON.createArrayNode();
        ((List<?>) field.getValue()).forEach(v -> array.add(value(fd, v)));
        value = array;
      } else {
        value = value(fd, field.getValue());
      }
      if (value != null) {
        object.set(fd.getName(), value);
      }
    }
    return object;
  }

  /** One value as JSON, or null when the JSON encoding leaves it out (empty strings, zero numbers, zero times). */
  private static JsonNode value(FieldDescriptor fd, Object v) {
    var json = ApiStatus.JSON.getNodeFactory();
    switch (fd.getJavaType()) {
      case STRING:
        return ((String) v).isEmpty() ? null : json.textNode((String) v);
      case INT:
      case LONG:
        return ((Number) v).longValue() == 0 ? null : json.numberNode(((Number) v).longValue());
      case FLOAT:
      case DOUBLE:
        return json.numberNode(((Number) v).doubleValue());
      case BOOLEAN:
        return json.booleanNode((Boolean) v);
      case BYTE_STRING:
        return json.textNode(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
      case ENUM:
        return json.textNode(v.toString());
      case MESSAGE:
        return message((Message) v);
      default:
        throw new IllegalStateException("a protobuf field of no Java type: " + fd.getFullName());
    }
  }

  private static JsonNode message(Message m) {
    var json = ApiStatus.JSON.getNodeFactory();
    String type = m.getDescriptorForType().getFullName();
    if (type.equals(META + "Time") || type.equals(META + "MicroTime")) {
      long seconds = (Long) field(m, "seconds");
      int nanos = (Integer) field(m, "nanos");
      return seconds == 0 && nanos == 0 ? null : json.textNode(Instant.ofEpochSecond(seconds, nanos).toString());
    }
    if (type.equals("k8s.io.apimachinery.pkg.api.resource.Quantity")) {
      return json.textNode((String) field(m, "string"));
    }
    if (type.equals("k8s.io.apimachinery.pkg.util.intstr.IntOrString")) {
      return (Long) field(m, "type") == 0 ? json.numberNode((Integer) field(m, "intVal"))
          : json.textNode((String) field(m, "strVal"));
    }
    if (type.equals("k8s.io.apimachinery.pkg.runtime.RawExtension")) {
      try {
        return ApiStatus.JSON.readTree(((ByteString) field(m, "raw")).toByteArray());
      } catch (IOException e) {
        throw new ApiException(400, "BadRequest", "an embedded object is not JSON: " + e.getMessage());
      }
    }
    return fields(m);
  }

  private static Object field(Message m, String name) {
    return m.getField(m.getDescriptorForType().findFieldByName(name));
  }
}
