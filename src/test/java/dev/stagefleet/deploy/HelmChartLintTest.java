package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("chart")
class HelmChartLintTest {

  @Test
  void lintsCleanInStrictModeWithTheDefaultValues() {
    var result = StageFleetChart.lintStrict();

    assertThat(result.getMessages()).noneMatch(m -> m.startsWith("[ERROR]") || m.startsWith("[WARNING]"));
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
  }

  @Test
  void lintsCleanInStrictModeWithEveryFeatureSwitchedOn(@TempDir Path scratch) {
    var result = StageFleetChart.lintStrict(StageFleetChart.FULL_VALUES, scratch);

    assertThat(result.getMessages()).noneMatch(m -> m.startsWith("[ERROR]") || m.startsWith("[WARNING]"));
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
  }
}
