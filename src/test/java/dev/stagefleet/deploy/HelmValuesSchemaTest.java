package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** values.schema.json stops bad values before anything reaches the cluster. */
@Tag("chart")
class HelmValuesSchemaTest {

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = ';', value = {
      "replicaCount; -1; '/replicaCount': minimum",
      "replicaCount; 0; '/replicaCount': minimum",
      "replicaCount; two; '/replicaCount': got string, want integer",
      "tokens.mode; jwt; '/tokens/mode': value must be one of",
      "region; Europe; '/region'",
      "watchNamespaces[0]; Shows_1; '/watchNamespaces/0'",
      "operator.leaderElection; maybe; '/operator/leaderElection': got string, want boolean",
      "operator.participantSampleRate; 9; '/operator/participantSampleRate'",
      "gateway.port; 70000; '/gateway/port': maximum",
      "serviceAccount.irsaRoleArn; arn:aws:iam::12:user/me; '/serviceAccount/irsaRoleArn'",
      "image.pullPolicy; Sometimes; '/image/pullPolicy'",
      "replicas; 3; additional properties 'replicas' not allowed",
  })
  void rejectsABadValueNamingWhereItIs(String key, String value, String message) {
    assertThatThrownBy(() -> StageFleetChart.render(Map.of(key, value)))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(message);
  }

  @Test
  void acceptsTheBoundaryValues() {
    var rendered = StageFleetChart.render(Map.of("replicaCount", 1, "operator.orphanGraceSeconds", 0,
        "gateway.port", 65535, "podDisruptionBudget.maxUnavailable", "50%"));

    assertThat(rendered.one(Deployment.class).getSpec().getReplicas()).isEqualTo(1);
  }
}
