package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class StatusRecorderTest {
  @Test
  void theMergePatchNeverCarriesTheAudience() throws Exception {
    var status = new LiveBroadcastStatus();
    status.setPhase("Live");
    status.setStages(List.of(new StageStatus("s1", "arn:aws:ivs:us-east-1:1:stage/s1", "Active", 3,
        "2026-01-01T00:00:00Z", null, null)));
    status.setAudience(Map.of("gw-1", new AudienceReport(Map.of("s1", 3), "2026-01-01T00:00:00Z")));

    var patch = Serialization.jsonMapper().readTree(StatusRecorder.mergePatch(status));
    assertThat(patch.fieldNames()).toIterable().containsExactly("status");
    assertThat(patch.get("status").has("audience")).isFalse();
    assertThat(patch.get("status").get("phase").asText()).isEqualTo("Live");
    assertThat(patch.get("status").get("stages").get(0).get("id").asText()).isEqualTo("s1");
    assertThat(patch.get("status").get("stages").get(0).has("drainingSince")).as("nulls are left out").isFalse();
  }
}
