package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class StageNamesTest {
  final StageNames names = new StageNames(new Random(1));

  @Test
  void namesStagesAfterTheBroadcastWithARandomSuffix() {
    String a = names.next("media", "launch-show");
    String b = names.next("media", "launch-show");
    assertThat(a).matches("media-launch-show-[a-z0-9]{8}");
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void staysWithinIvsNameRules() {
    String name = names.next("a".repeat(63), "show.with.dots-" + "x".repeat(240));
    assertThat(name).hasSizeLessThanOrEqualTo(128).matches("[a-zA-Z0-9_-]+");
  }
}
