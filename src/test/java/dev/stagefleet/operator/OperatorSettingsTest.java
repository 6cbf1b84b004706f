package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("apiserver")
class OperatorSettingsTest {
  @Test
  void defaultsMatchTheDocumentedOnes() {
    var d = OperatorSettings.defaults();
    assertThat(d.region()).isEqualTo("us-east-1");
    assertThat(d.clusterId()).isEqualTo("default");
    assertThat(d.namespaces()).isEmpty();
    assertThat(d.healthPort()).isEqualTo(8081);
    assertThat(d.leaderElection()).isTrue();
    assertThat(d.serverSideApply()).as("the tested patch strategy").isFalse();
    assertThat(d.orphanGracePeriod()).isEqualTo(Duration.ofSeconds(120));
    assertThat(d.inventoryRefreshInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.participantSampleRate()).isEqualTo(2.0);
  }

  @Test
  void aBuilderChangesTheSettingsItIsGivenAndKeepsTheDefaults() {
    var s = OperatorSettings.builder().clusterId("eu").namespaces(Set.of("a", "b"))
        .leaderElection(false).leaseNamespace("ops").serverSideApply(true).build();
    assertThat(s.clusterId()).isEqualTo("eu");
    assertThat(s.namespaces()).containsExactlyInAnyOrder("a", "b");
    assertThat(s.leaderElection()).isFalse();
    assertThat(s.leaseNamespace()).isEqualTo("ops");
    assertThat(s.serverSideApply()).isTrue();
    assertThat(s.region()).isEqualTo("us-east-1");
  }

  @Test
  void sweepsForOrphansAQuarterOfTheGracePeriodApartButNotMoreOftenThanTheInventoryRefreshes() {
    assertThat(OperatorSettings.defaults().orphanSweepInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(OperatorSettings.builder().orphanGracePeriod(Duration.ofSeconds(4)).build().orphanSweepInterval())
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> OperatorSettings.builder().inventoryRefreshInterval(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inventoryRefreshInterval");
    assertThatThrownBy(() -> OperatorSettings.builder().participantSampleRate(-1).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OperatorSettings.builder().clusterId(" ").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoReplicasWithOneHostNameHaveDifferentLeaseIdentities() {
    String first = OperatorRuntime.leaseIdentity("stagefleet-operator-7d9f");
    String second = OperatorRuntime.leaseIdentity("stagefleet-operator-7d9f");

    assertThat(first).startsWith("stagefleet-operator-7d9f_").isNotEqualTo(second);
    assertThat(OperatorRuntime.leaseIdentity(null)).startsWith("stagefleet-operator_");
  }
}
