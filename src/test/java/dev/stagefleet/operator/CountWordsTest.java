package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class CountWordsTest {
  @Test
  void oneStageIsSingularAndAnyOtherCountPlural() {
    assertThat(StageActions.count(1, "active stage")).isEqualTo("1 active stage");
    assertThat(StageActions.count(0, "viewer")).isEqualTo("0 viewers");
    assertThat(StageActions.count(3, "active stage")).isEqualTo("3 active stages");
  }
}
