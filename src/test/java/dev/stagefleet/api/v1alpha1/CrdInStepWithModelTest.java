package dev.stagefleet.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The maintained CRD is the generated one (from the Java model) plus what the generator cannot say, and says it: the
 * same fields, types, defaults and bounds; every node described; conditions as metav1.Condition; and a schema that
 * refuses everything {@link LiveBroadcastSpec#validate()} refuses, so the API server turns it away at once.
 */
@Tag("unit")
class CrdInStepWithModelTest {
  static final ObjectMapper JSON = Serialization.jsonMapper();
  static final CustomResourceDefinition MAINTAINED = CustomResourceDefinitions.liveBroadcast();
  static final CustomResourceDefinition GENERATED = Serialization.unmarshal(
      CustomResourceDefinitions.read(CustomResourceDefinitions.GENERATED), CustomResourceDefinition.class);

  static JSONSchemaProps schema(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
  }

  @Test
  void hasTheGeneratedFieldsTypesDefaultsAndBoundsAtEveryNode() {
    List<String> differences = new ArrayList<>();
    compare("", schema(GENERATED), schema(MAINTAINED), differences);
    assertThat(differences).as("where the maintained CRD (%s) left the Java model; change both together",
        CustomResourceDefinitions.RESOURCE).isEmpty();
  }

  static void compare(String path, JSONSchemaProps generated, JSONSchemaProps maintained, List<String> out) {
    if (maintained == null) {
      out.add(path + " is missing");
      return;
    }
    same(path, "type", generated.getType(), maintained.getType(), out);
    same(path, "default", generated.getDefault(), maintained.getDefault(), out);
    same(path, "x-kubernetes-validations", generated.getXKubernetesValidations(),
        maintained.getXKubernetesValidations(), out);
    for (String bound : List.of("minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
        "minProperties", "maxProperties", "enum")) {
      Object g = JSON.valueToTree(generated).get(bound);
      if (g != null) {
        same(path, bound, g, JSON.valueToTree(maintained).get(bound), out);
      }
    }
    if (generated.getRequired() != null && !maintained.getRequired().containsAll(generated.getRequired())) {
      out.add(path + " requires " + maintained.getRequired() + ", the model " + generated.getRequired());
    }
    same(path, "properties", generated.getProperties().keySet(), maintained.getProperties().keySet(), out);
    generated.getProperties().forEach((name, child) ->
        compare(path + "." + name, child, maintained.getProperties().get(name), out));
    if (generated.getItems() != null) {
      compare(path + "[]", generated.getItems().getSchema(),
          maintained.getItems() == null ? null : maintained.getItems().getSchema(), out);
    }
    if (generated.getAdditionalProperties() != null && generated.getAdditionalProperties().getSchema() != null) {
      compare(path + "{}", generated.getAdditionalProperties().getSchema(),
          maintained.getAdditionalProperties() == null ? null : maintained.getAdditionalProperties().getSchema(), out);
    }
  }

  static void same(String path, String what, Object generated, Object maintained, List<String> out) {
    if (!Objects.equals(generated, maintained)) {
      out.add(path + " " + what + ": the model says " + generated + ", the CRD " + maintained);
    }
  }

  @Test
  void showsTheModelsPrinterColumnsInTheConventionalOrder() {
    var maintained = MAINTAINED.getSpec().getVersions().get(0).getAdditionalPrinterColumns();
    assertThat(maintained).extracting(c -> c.getName().toUpperCase())
        .containsExactly("READY", "STAGES", "DESIRED", "VIEWERS", "WAITING", "PHASE", "AGE");
    assertThat(maintained).extracting(c -> List.of(c.getName(), c.getJsonPath(), c.getType()))
        .containsExactlyInAnyOrderElementsOf(GENERATED.getSpec().getVersions().get(0).getAdditionalPrinterColumns()
            .stream().map(c -> List.of(c.getName(), c.getJsonPath(), c.getType())).toList());
    assertThat(maintained).extracting(CustomResourceColumnDefinition::getDescription).allSatisfy(d ->
        assertThat(d).isNotBlank());
  }

  @Test
  void describesEveryNodeSoKubectlExplainHasTextEverywhere() {
    List<String> undescribed = new ArrayList<>();
    describe("livebroadcast", schema(MAINTAINED), undescribed);
    assertThat(undescribed).as("schema nodes without a description").isEmpty();
  }

  static void describe(String path, JSONSchemaProps node, List<String> out) {
    if (node.getDescription() == null || node.getDescription().isBlank()) {
      out.add(path);
    }
    node.getProperties().forEach((name, child) -> describe(path + "." + name, child, out));
    if (node.getItems() != null) {
      describe(path + "[]", node.getItems().getSchema(), out);
    }
    if (node.getAdditionalProperties() != null && node.getAdditionalProperties().getSchema() != null) {
      describe(path + "{}", node.getAdditionalProperties().getSchema(), out);
    }
  }

  @Test
  void declaresConditionsAsMetav1ConditionAndTimestampsAsDateTime() {
    JSONSchemaProps status = schema(MAINTAINED).getProperties().get("status");
    JSONSchemaProps conditions = status.getProperties().get("conditions");
    assertThat(conditions.getXKubernetesListType()).isEqualTo("map");
    assertThat(conditions.getXKubernetesListMapKeys()).containsExactly("type");
    JSONSchemaProps condition = conditions.getItems().getSchema();
    assertThat(condition.getRequired())
        .containsExactlyInAnyOrder("type", "status", "lastTransitionTime", "reason", "message");
    assertThat(condition.getProperties().get("status").getEnum()).extracting(JsonNode::asText)
        .containsExactly("True", "False", "Unknown");
    JSONSchemaProps stage = status.getProperties().get("stages").getItems().getSchema();
    assertThat(Stream.of(condition.getProperties().get("lastTransitionTime"), status.getProperties().get("lastScaleTime"),
        stage.getProperties().get("createdAt"), stage.getProperties().get("drainingSince"),
        status.getProperties().get("audience").getAdditionalProperties().getSchema().getProperties().get("reportedAt")))
        .extracting(JSONSchemaProps::getFormat).containsOnly("date-time");
  }

  @Test
  void boundsEveryStringListAndMap() {
    List<String> unbounded = new ArrayList<>();
    bounds("livebroadcast", schema(MAINTAINED), unbounded);
    assertThat(unbounded).isEmpty();
  }

  static void bounds(String path, JSONSchemaProps node, List<String> out) {
    boolean bounded = switch (String.valueOf(node.getType())) {
      // a date-time has a bounded length too (the API server's CEL cost estimate treats it so)
      case "string" -> node.getMaxLength() != null || node.getEnum() != null && !node.getEnum().isEmpty()
          || "date-time".equals(node.getFormat());
      case "array" -> node.getMaxItems() != null;
      case "object" -> node.getAdditionalProperties() == null || node.getMaxProperties() != null;
      default -> true;
    };
    if (!bounded) {
      out.add(path);
    }
    node.getProperties().forEach((name, child) -> bounds(path + "." + name, child, out));
    if (node.getItems() != null) {
      bounds(path + "[]", node.getItems().getSchema(), out);
    }
    if (node.getAdditionalProperties() != null && node.getAdditionalProperties().getSchema() != null) {
      bounds(path + "{}", node.getAdditionalProperties().getSchema(), out);
    }
  }

  static final Schema OPEN_API_SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
      .getSchema(JSON.valueToTree(schema(MAINTAINED)));

  static ObjectNode object(LiveBroadcastSpec spec) {
    ObjectNode object = JSON.createObjectNode().put("apiVersion", LiveBroadcast.GROUP + "/" + LiveBroadcast.VERSION)
        .put("kind", "LiveBroadcast");
    object.set("metadata", JSON.valueToTree(Map.of("name", "show", "namespace", "shows")));
    if (spec != null) {
      object.set("spec", JSON.valueToTree(spec));
    }
    return object;
  }

  static Stream<Arguments> rejectedByValidate() {
    return LiveBroadcastSpecValidationTest.violations()
        .map(a -> Arguments.of(a.get()[0], a.get()[1]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedByValidate")
  void theSchemaRefusesWhatValidateRefuses(String name, Consumer<LiveBroadcastSpec> breakIt) {
    var spec = LiveBroadcastSpecValidationTest.valid();
    assertThat(OPEN_API_SCHEMA.validate(object(spec))).as("the valid spec").isEmpty();
    breakIt.accept(spec);
    assertThat(spec.validate()).isNotEmpty();
    if (spec.getMinStages() > spec.getMaxStages()) {
      // a cross-field rule: JSON Schema cannot say it, the CRD's CEL rule does
      assertThat(schema(MAINTAINED).getProperties().get("spec").getXKubernetesValidations())
          .anySatisfy(rule -> assertThat(rule.getRule()).isEqualTo("self.minStages <= self.maxStages"));
      return;
    }
    assertThat(OPEN_API_SCHEMA.validate(object(spec))).as("schema errors for %s", name).isNotEmpty();
  }

  @Test
  void theSchemaRefusesAFanOutItDoesNotKnow() {
    ObjectNode object = object(LiveBroadcastSpecValidationTest.valid());
    ((ObjectNode) object.get("spec")).put("fanOut", "mesh");
    assertThat(OPEN_API_SCHEMA.validate(object)).isNotEmpty();
    ((ObjectNode) object.get("spec")).put("fanOut", "direct");
    assertThat(OPEN_API_SCHEMA.validate(object)).isEmpty();
  }

  @Test
  void theSchemaRequiresASpecAndARegionNameWhenOneIsGiven() {
    assertThat(OPEN_API_SCHEMA.validate(object(null))).isNotEmpty();
    var emptyRegion = LiveBroadcastSpecValidationTest.valid();
    emptyRegion.setRegion("");
    assertThat(OPEN_API_SCHEMA.validate(object(emptyRegion))).as("omit the region instead").isNotEmpty();
    assertThat(schema(MAINTAINED).getProperties().get("spec").getProperties().get("region").getDescription())
        .contains("omit it for the operator's default region");
  }
}
