package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** docs/run-on-a-cluster.md stays true: its IAM policy grants exactly StageFleet's IVS actions, its names match the chart. */
@Tag("chart")
class RunOnAClusterGuideTest {
  static final Path GUIDE = Path.of("docs/run-on-a-cluster.md");
  static final List<String> IVS_ACTIONS_STAGEFLEET_CALLS = List.of(
      "ivs:CreateStage", "ivs:DeleteStage", "ivs:GetStage", "ivs:ListStages", "ivs:ListParticipants",
      "ivs:CreateParticipantToken", "ivs:TagResource", "ivs:ListTagsForResource", "ivs:ImportPublicKey",
      "ivs:GetPublicKey", "ivs:DeletePublicKey", "ivs:DisconnectParticipant", "ivs:StartParticipantReplication",
      "ivs:StopParticipantReplication", "ivs:ListParticipantReplicas");

  static JsonNode iamPolicy() throws Exception {
    var block = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(GUIDE));
    assertThat(block.find()).as("the guide has a ```json IAM policy").isTrue();
    return new ObjectMapper().readTree(block.group(1));
  }

  static List<String> strings(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> values.add(n.asText()));
    } else {
      values.add(node.asText());
    }
    return values;
  }

  @Test
  void iamPolicyAllowsExactlyTheIvsActionsStageFleetCalls() throws Exception {
    JsonNode policy = iamPolicy();
    var allowed = new TreeSet<String>();
    policy.get("Statement").forEach(statement -> {
      assertThat(statement.get("Effect").asText()).isEqualTo("Allow");
      allowed.addAll(strings(statement.get("Action")));
    });

    assertThat(allowed).containsExactlyInAnyOrderElementsOf(IVS_ACTIONS_STAGEFLEET_CALLS);
  }

  @Test
  void iamPolicyScopesEveryActionButListStagesToStagesOrKeysOfOneAccount() throws Exception {
    iamPolicy().get("Statement").forEach(statement -> {
      List<String> actions = strings(statement.get("Action"));
      List<String> resources = strings(statement.get("Resource"));
      if (actions.equals(List.of("ivs:ListStages"))) {
        assertThat(resources).containsExactly("*");
      } else {
        assertThat(resources).isNotEmpty().allSatisfy(resource -> assertThat(resource)
            .matches("arn:aws:ivs:[a-z0-9-]+:[0-9]{12}:(stage|public-key)/\\*"));
      }
    });
  }

  @Test
  void createsAndDeletesOnlyStagesTaggedAsStageFleets() throws Exception {
    JsonNode statements = iamPolicy().get("Statement");
    Map<String, String> conditionKeyByAction = Map.of(
        "ivs:CreateStage", "aws:RequestTag/stagefleet.dev/managed-by",
        "ivs:DeleteStage", "aws:ResourceTag/stagefleet.dev/managed-by");

    for (var expected : conditionKeyByAction.entrySet()) {
      List<JsonNode> granting = new ArrayList<>();
      statements.forEach(s -> {
        if (strings(s.get("Action")).contains(expected.getKey())) {
          granting.add(s);
        }
      });
      assertThat(granting).as(expected.getKey()).singleElement().satisfies(statement -> {
        assertThat(strings(statement.get("Action"))).containsExactly(expected.getKey());
        assertThat(statement.at("/Condition/StringEquals").path(expected.getValue()).asText()).isEqualTo("stagefleet");
      });
    }
  }

  @Test
  void namesTheServiceAccountAndDeploymentTheChartCreatesForTheReleaseStagefleet() throws Exception {
    var rendered = StageFleetChart.render("stagefleet", null, Map.of());
    String guide = Files.readString(GUIDE);

    String account = rendered.one(ServiceAccount.class).getMetadata().getName();
    String deployment = rendered.one(Deployment.class).getMetadata().getName();
    assertThat(guide).contains("system:serviceaccount:stagefleet:" + account, "--service-account " + account,
        "deployment/" + deployment, "deploy/" + deployment);
  }
}
