package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class CelRulesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  static final String SCHEMA = "{'type':'object','properties':{'spec':{'type':'object','properties':{"
      + "'size':{'type':'integer','x-kubernetes-validations':[{'rule':'self >= oldSelf','message':'size may only grow'}]},"
      + "'items':{'type':'array','items':{'type':'object','properties':{'n':{'type':'integer'}},"
      + "'x-kubernetes-validations':[{'rule':'self.n > 0','fieldPath':'.n','reason':'FieldValueForbidden'}]}}}}}}";

  @Test
  void aTransitionRuleSeesOldSelfOnUpdatesAndIsSkippedOnCreate() throws Exception {
    var rules = new CelRules(json(SCHEMA));
    JsonNode smaller = json("{'spec':{'size':1}}");
    assertThat(rules.validate(smaller, null)).as("a create has no oldSelf").isEmpty();
    assertThat(rules.validate(smaller, json("{'spec':{'size':3}}"))).extracting(FieldError::toString)
        .containsExactly("spec.size: Invalid value: \"integer\": size may only grow");
    assertThat(rules.validate(json("{'spec':{'size':4}}"), json("{'spec':{'size':3}}"))).isEmpty();
  }

  @Test
  void aRuleOnListItemsRunsForEachItemAtItsFieldPathWithItsReason() throws Exception {
    var errors = new CelRules(json(SCHEMA)).validate(json("{'spec':{'items':[{'n':1},{'n':0}]}}"), null);
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).field()).isEqualTo("spec.items[1].n");
    assertThat(errors.get(0).type()).isEqualTo(FieldError.Type.FORBIDDEN);
    assertThat(errors.get(0).toString()).isEqualTo("spec.items[1].n: Forbidden: failed rule: self.n > 0");
  }

  @Test
  void pruningKeepsWhatTheSchemaPreservesAndDefaultsApplyInsideMaps() throws Exception {
    var schema = new StructuralSchema(json("{'type':'object','properties':{'spec':{'type':'object','properties':{"
        + "'free':{'type':'object','x-kubernetes-preserve-unknown-fields':true},"
        + "'byName':{'type':'object','additionalProperties':{'type':'object','properties':{"
        + "'weight':{'type':'integer','default':1}}}}}}}}"));
    ObjectNode object = (ObjectNode) json("{'apiVersion':'v','kind':'K','metadata':{'name':'x'},'top':1,"
        + "'spec':{'free':{'any':{'thing':1}},'byName':{'a':{'junk':true}},'junk':2}}");
    assertThat(schema.prune(object)).containsExactlyInAnyOrder("top", "spec.junk", "spec.byName.a.junk");
    var preserving = new StructuralSchema(json("{'type':'object','x-kubernetes-preserve-unknown-fields':true}"));
    ObjectNode free = (ObjectNode) json("{'spec':{'any':{'thing':1}}}");
    assertThat(preserving.prune(free)).as("nothing under a preserving schema is pruned").isEmpty();
    assertThat(free).isEqualTo(json("{'spec':{'any':{'thing':1}}}"));
    schema.applyDefaults(object);
    assertThat(object).isEqualTo(json("{'apiVersion':'v','kind':'K','metadata':{'name':'x'},"
        + "'spec':{'free':{'any':{'thing':1}},'byName':{'a':{'weight':1}}}}"));
  }
}
