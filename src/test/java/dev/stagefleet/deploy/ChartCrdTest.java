package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The chart installs the very CRD the build generates (helm template never renders crds/, so it is checked here). */
@Tag("chart")
class ChartCrdTest {
  static final Path DEPLOY_CRDS = Path.of("deploy/crds");
  static final Path CHART_CRDS = StageFleetChart.DIRECTORY.resolve("crds");

  @Test
  void chartCrdsAreByteForByteTheOnesInDeployCrds() throws Exception {
    try (Stream<Path> deploy = Files.list(DEPLOY_CRDS); Stream<Path> chart = Files.list(CHART_CRDS)) {
      assertThat(chart.map(p -> p.getFileName().toString()).sorted())
          .containsExactlyElementsOf(deploy.map(p -> p.getFileName().toString()).sorted().toList());
    }
    try (Stream<Path> deploy = Files.list(DEPLOY_CRDS)) {
      for (Path crd : (Iterable<Path>) deploy::iterator) {
        assertThat(Files.mismatch(crd, CHART_CRDS.resolve(crd.getFileName())))
            .as("%s differs from deploy/crds; copy deploy/crds/%s into the chart's crds/", crd.getFileName(),
                crd.getFileName())
            .isEqualTo(-1L);
      }
    }
  }
}
