package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One field's validation failure, written as kube-apiserver's {@code field.Error} writes it:
 * {@code spec.maxStages: Invalid value: 0: spec.maxStages in body should be greater than or equal to 1}.
 */
record FieldError(String field, Type type, String value, String detail) {
  /** The error types of {@code k8s.io/apimachinery/pkg/util/validation/field}, with their cause reasons. */
  enum Type {
    INVALID("FieldValueInvalid", "Invalid value", true),
    TYPE_INVALID("FieldValueTypeInvalid", "Invalid value", true),
    REQUIRED("FieldValueRequired", "Required value", false),
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value", true),
    TOO_LONG("FieldValueTooLong", "Too long", false),
    TOO_MANY("FieldValueTooMany", "Too many", true),
    FORBIDDEN("FieldValueForbidden", "Forbidden", false),
    INTERNAL("InternalError", "Internal error", false);

    final String reason;
    final String text;
    final boolean showsValue;

    Type(String reason, String text, boolean showsValue) {
      this.reason = reason;
      this.text = text;
      this.showsValue = showsValue;
    }

    /** The type a CEL rule's {@code reason} names, invalid by default. */
    static Type ofReason(String reason) {
      for (Type t : values()) {
        if (t.reason.equals(reason)) {
          return t;
        }
      }
      return INVALID;
    }
  }

  /** The value as the API server prints it: strings quoted, numbers and booleans bare. */
  static String show(JsonNode value) {
    return value.isTextual() ? value.toString() : value.isValueNode() ? value.asText() : quote(typeName(value));
  }

  static String quote(String text) {
    return ApiStatus.JSON.getNodeFactory().textNode(text).toString();
  }

  /** The JSON type of a value, as OpenAPI names it. */
  static String typeName(JsonNode value) {
    if (value.isIntegralNumber()) {
      return "integer";
    }
    if (value.isNumber()) {
      return "number";
    }
    if (value.isTextual()) {
      return "string";
    }
    if (value.isBoolean()) {
      return "boolean";
    }
    return value.isArray() ? "array" : value.isObject() ? "object" : "null";
  }

  /** The message without the field, as a Status cause carries it. */
  String body() {
    String body = type.showsValue ? type.text + ": " + value : type.text;
    return detail == null || detail.isEmpty() ? body : body + ": " + detail;
  }

  @Override
  public String toString() {
    return field + ": " + body();
  }

  /**
   * The 422 Invalid answer for these errors on the named object, e.g.
   * {@code LiveBroadcast.live.stagefleet.dev "show" is invalid: spec.x: Invalid value: ...}.
   */
  static ApiException invalid(String group, String kind, String name, List<FieldError> errors) {
    String qualifiedKind = group.isEmpty() ? kind : kind + "." + group;
    String aggregate = errors.size() == 1 ? errors.get(0).toString()
        : errors.stream().map(FieldError::toString).collect(Collectors.joining(", ", "[", "]"));
    return new ApiException(422, "Invalid", qualifiedKind + " \"" + name + "\" is invalid: " + aggregate) {
      @Override
      ObjectNode status() {
        ObjectNode status = super.status();
        ObjectNode details = status.putObject("details").put("name", name).put("group", group).put("kind", kind);
        var causes = details.putArray("causes");
        errors.forEach(e -> causes.addObject().put("reason", e.type().reason).put("message", e.body())
            .put("field", e.field()));
        return status;
      }
    };
  }
}
