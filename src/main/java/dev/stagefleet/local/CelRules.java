package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A CRD schema's {@code x-kubernetes-validations} rules, compiled once with Google's cel-java and evaluated as
 * kube-apiserver does: at every value their schema node describes, {@code self} bound to that value and
 * {@code oldSelf} to the stored one; a rule reading {@code oldSelf} (a transition rule) runs only on updates that
 * had an old value there.
 */
final class CelRules {
  private static final CelOptions OPTIONS = CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder().setOptions(OPTIONS)
      .addVar("self", SimpleType.DYN).addVar("oldSelf", SimpleType.DYN).build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
  private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");

  /** One compiled rule, or the reason it does not compile. */
  private record Rule(String source, CelRuntime.Program program, CelRuntime.Program message, String text,
      String fieldPath, FieldError.Type type, boolean transition, String compileError) {
  }

  private final JsonNode schema;
  private final Map<JsonNode, List<Rule>> rules = new HashMap<>();

  CelRules(JsonNode openApiV3Schema) {
    this.schema = openApiV3Schema;
    compileAll(openApiV3Schema);
  }

  private void compileAll(JsonNode node) {
    if (node.has("x-kubernetes-validations")) {
      List<Rule> compiled = new ArrayList<>();
      node.path("x-kubernetes-validations").forEach(r -> compiled.add(compile(r)));
      rules.put(node, compiled);
    }
    node.path("properties").forEach(this::compileAll);
    if (node.path("items").isObject()) {
      compileAll(node.path("items"));
    }
    if (node.path("additionalProperties").isObject()) {
      compileAll(node.path("additionalProperties"));
    }
  }

  private static Rule compile(JsonNode r) {
    String source = r.path("rule").asText();
    FieldError.Type type = FieldError.Type.ofReason(r.path("reason").asText("FieldValueInvalid"));
    String text = r.has("message") ? r.path("message").asText() : "failed rule: " + source;
    try {
      CelRuntime.Program program = RUNTIME.createProgram(COMPILER.compile(source).getAst());
      CelRuntime.Program message = null;
      if (r.has("messageExpression")) {
        CelAbstractSyntaxTree ast = COMPILER.compile(r.path("messageExpression").asText()).getAst();
        message = RUNTIME.createProgram(ast);
      }
      return new Rule(source, program, message, text, r.path("fieldPath").asText(""), type,
          OLD_SELF.matcher(source).find(), null);
    } catch (CelValidationException | CelEvaluationException e) {
      return new Rule(source, null, null, text, "", type, false, e.getMessage());
    }
  }

  /** The failures of every rule on the object, with {@code old} the stored object on an update (else null). */
  List<FieldError> validate(JsonNode object, JsonNode old) {
    List<FieldError> errors = new ArrayList<>();
    walk(object, old, schema, "", errors);
    return errors;
  }

  private void walk(JsonNode value, JsonNode old, JsonNode node, String path, List<FieldError> errors) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    for (Rule rule : rules.getOrDefault(node, List.of())) {
      evaluate(rule, value, old, node, path, errors);
    }
    if (value.isObject()) {
      value.fields().forEachRemaining(field -> {
        JsonNode child = node.path("properties").path(field.getKey());
        if (child.isMissingNode()) {
          child = node.path("additionalProperties");
        }
        JsonNode oldChild = old == null ? null : old.get(field.getKey());
        walk(field.getValue(), oldChild, child, path.isEmpty() ? field.getKey() : path + "." + field.getKey(),
            errors);
      });
    } else if (value.isArray()) {
      // list items are correlated with their old selves only for keyed lists, which this schema does not use
      for (int i = 0; i < value.size(); i++) {
        walk(value.get(i), null, node.path("items"), path + "[" + i + "]", errors);
      }
    }
  }

  private static void evaluate(Rule rule, JsonNode value, JsonNode old, JsonNode node, String path,
      List<FieldError> errors) {
    String field = path + rule.fieldPath();
    String type = FieldError.quote(node.path("type").asText(FieldError.typeName(value)));
    if (rule.compileError() != null) {
      errors.add(new FieldError(field, FieldError.Type.INTERNAL, null, "rule compile error: "
          + rule.compileError()));
      return;
    }
    if (rule.transition() && (old == null || old.isNull())) {
      return;
    }
    if (!rule.transition() && value.equals(old)) {
      // validation ratcheting (Kubernetes 1.30+): a rule does not fail an update on a value the update left as stored
      return;
    }
    Map<String, Object> bindings = new HashMap<>();
    bindings.put("self", celValue(value));
    if (old != null) {
      bindings.put("oldSelf", celValue(old));
    }
    try {
      if (!Boolean.TRUE.equals(rule.program().eval(bindings))) {
        String message = rule.message() == null ? rule.text() : String.valueOf(rule.message().eval(bindings));
        errors.add(new FieldError(field, rule.type(), type, message));
      }
    } catch (CelEvaluationException e) {
      errors.add(new FieldError(field, FieldError.Type.INVALID, type, e.getMessage() + " evaluating rule: "
          + rule.source()));
    }
  }

  /** JSON as CEL values: objects as maps, arrays as lists, integers as int, other numbers as double. */
  static Object celValue(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(f -> {
        if (!f.getValue().isNull()) {
          map.put(f.getKey(), celValue(f.getValue()));
        }
      });
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(celValue(item)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    return node.isBoolean() ? (Object) node.asBoolean() : node.asText();
  }
}
