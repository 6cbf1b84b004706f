package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.KubeFixture.active;
import static dev.stagefleet.gateway.KubeFixture.draining;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.gateway.StageChanges.Change;
import dev.stagefleet.gateway.StageChanges.Kind;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("apiserver")
class StageChangesTest {

  static List<String> describe(List<Change> changes) {
    return changes.stream().map(c -> c.kind() + " " + c.stage().getId()).toList();
  }

  @Test
  void findsCreatedDrainingReactivatedAndDeletedStages() {
    var before = List.of(active("a"), active("b"), draining("c"), active("d"));
    var after = List.of(active("a"), draining("b"), active("c"), active("e"));
    assertThat(describe(StageChanges.between(before, after)))
        .containsExactlyInAnyOrder(Kind.DRAINING + " b", Kind.REACTIVATED + " c", Kind.CREATED + " e",
            Kind.DELETED + " d");
  }

  @Test
  void reportsAChangedViewerCountSoTheBroadcasterSeesTheStatusCount() {
    var before = List.of(KubeFixture.stage("a", "Active", 3), KubeFixture.stage("b", "Active", 1));
    var after = List.of(KubeFixture.stage("a", "Active", 9), KubeFixture.stage("b", "Active", 1));
    assertThat(describe(StageChanges.between(before, after))).containsExactly(Kind.VIEWERS + " a");
  }

  @Test
  void reportsAStageThatBecameAnOriginOrAReplicaOfAnotherStage() {
    var before = List.of(KubeFixture.origin("a"), KubeFixture.replica("b", "a"), KubeFixture.replica("c", "a"));
    var after = List.of(KubeFixture.origin("a"), KubeFixture.origin("b"), KubeFixture.replica("c", "b"));
    assertThat(describe(StageChanges.between(before, after))).containsExactly(Kind.FEED + " b", Kind.FEED + " c");
  }

  @Test
  void treatsAMissingListAsEmpty() {
    assertThat(describe(StageChanges.between(null, List.of(active("a"))))).containsExactly(Kind.CREATED + " a");
    assertThat(describe(StageChanges.between(List.of(active("a")), null))).containsExactly(Kind.DELETED + " a");
  }
}
