package dev.stagefleet.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class CustomResourceDefinitionTest {
  static final Path COMMITTED = Path.of("deploy/crds/" + LiveBroadcast.CRD_NAME + "-v1.yml");

  @Test
  void committedCrdEqualsTheMaintainedOne() throws Exception {
    assertThat(Files.readString(COMMITTED))
        .as("deploy/crds is stale: copy src/main/resources%s over it", CustomResourceDefinitions.RESOURCE)
        .isEqualTo(CustomResourceDefinitions.liveBroadcastYaml());
  }

  @Test
  void crdHasStatusSubresourceShortNameCategoryAndPrinterColumns() {
    var crd = CustomResourceDefinitions.liveBroadcast();
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("lbc");
    assertThat(crd.getSpec().getNames().getCategories()).containsExactly("stagefleet");
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getName().toUpperCase())
        .containsExactly("READY", "STAGES", "DESIRED", "VIEWERS", "WAITING", "PHASE", "AGE");
    var spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getRequired()).contains("broadcaster");
    assertThat(spec.getXKubernetesValidations()).singleElement()
        .satisfies(rule -> assertThat(rule.getRule()).isEqualTo("self.minStages <= self.maxStages"));
    assertThat(spec.getProperties().get("viewersPerStage").getMaximum()).isEqualTo(10000.0);
    assertThat(spec.getProperties().get("viewersPerStage").getDefault().asInt()).isEqualTo(50);
  }
}
