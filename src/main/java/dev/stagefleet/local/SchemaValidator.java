package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.path.NodePath;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Checks an object against a CRD's OpenAPI v3 schema (types, bounds, lengths, patterns, enums, required fields) with
 * networknt's JSON Schema validator, and words each failure as kube-apiserver does.
 */
final class SchemaValidator {
  /**
   * Kubernetes' schema extensions. They are not JSON Schema: CEL rules, list and map semantics and unknown-field
   * handling are applied by the glue around this validator, so here they are known keywords that validate nothing
   * (otherwise networknt logs a warning per keyword, which local mode would print to its user).
   */
  static final List<String> KUBERNETES_EXTENSIONS = List.of("x-kubernetes-validations", "x-kubernetes-list-type",
      "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-preserve-unknown-fields",
      "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource");
  static final Dialect DIALECT = Dialect.builder(Dialects.getOpenApi30())
      .keywords(KUBERNETES_EXTENSIONS.stream().map(NonValidationKeyword::new).toList()).build();
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(DIALECT);

  private final Schema schema;

  SchemaValidator(JsonNode openApiV3Schema) {
    this.schema = REGISTRY.getSchema(openApiV3Schema);
  }

  List<FieldError> validate(JsonNode object) {
    List<FieldError> errors = new ArrayList<>();
    for (Error e : schema.validate(object)) {
      errors.add(fieldError(e));
    }
    return errors;
  }

  private static FieldError fieldError(Error e) {
    String field = fieldPath(e.getInstanceLocation());
    JsonNode value = e.getInstanceNode();
    // the library hands over the keyword's value (the 1 of minimum: 1), not the whole schema
    JsonNode constraint = e.getSchemaNode() == null ? ApiStatus.JSON.missingNode() : e.getSchemaNode();
    String limit = number(constraint);
    String inBody = field + " in body";
    switch (e.getKeyword()) {
      case "type":
        return new FieldError(field, FieldError.Type.TYPE_INVALID, FieldError.quote(FieldError.typeName(value)),
            inBody + " must be of type " + constraint.asText() + ": " + FieldError.quote(FieldError.typeName(value)));
      case "required": {
        String missing = e.getProperty();
        return new FieldError(field.isEmpty() ? missing : field + "." + missing, FieldError.Type.REQUIRED, null,
            null);
      }
      case "minimum":
        return invalid(field, value, inBody + " should be greater than or equal to " + limit);
      case "maximum":
        return invalid(field, value, inBody + " should be less than or equal to " + limit);
      case "minLength":
        return invalid(field, value, inBody + " should be at least " + limit + " chars long");
      case "maxLength":
        return new FieldError(field, FieldError.Type.TOO_LONG, null, "may not be more than " + limit + " bytes");
      case "pattern":
        return invalid(field, value, inBody + " should match '" + constraint.asText() + "'");
      case "enum":
        return new FieldError(field, FieldError.Type.NOT_SUPPORTED, FieldError.show(value), "supported values: "
            + StreamSupport.stream(constraint.spliterator(), false).map(FieldError::show)
            .collect(Collectors.joining(", ")));
      case "minItems":
        return invalid(field, value, inBody + " should have at least " + limit + " items");
      case "maxItems":
        return new FieldError(field, FieldError.Type.TOO_MANY, String.valueOf(value.size()),
            "must have at most " + limit + " items");
      default:
        return invalid(field, value, e.getMessage());
    }
  }

  private static FieldError invalid(String field, JsonNode value, String detail) {
    return new FieldError(field, FieldError.Type.INVALID, FieldError.show(value), detail);
  }

  /** 1000.0 as the API server prints it: 1000. */
  private static String number(JsonNode node) {
    return node.isNumber() ? new BigDecimal(node.asText()).stripTrailingZeros().toPlainString() : node.asText();
  }

  /** {@code spec.stages[0].id} from the instance location. */
  static String fieldPath(NodePath location) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Number) {
        b.append('[').append(element).append(']');
      } else {
        b.append(b.length() == 0 ? "" : ".").append(element);
      }
    }
    return b.toString();
  }
}
