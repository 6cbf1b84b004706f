package dev.stagefleet.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.scaling.ViewerPlacement.AllFull;
import dev.stagefleet.scaling.ViewerPlacement.NoActiveStage;
import dev.stagefleet.scaling.ViewerPlacement.Placed;
import dev.stagefleet.scaling.ViewerPlacement.StageLoad;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ViewerPlacementTest {

  static StageLoad active(String id, int viewers) {
    return new StageLoad(id, true, viewers);
  }

  static StageLoad draining(String id, int viewers) {
    return new StageLoad(id, false, viewers);
  }

  @Test
  void placesOnTheFullestStageThatHasRoom() {
    var decision = ViewerPlacement.place(List.of(active("a", 3), active("b", 7), active("c", 5)), 10, 5);
    assertThat(decision).isEqualTo(new Placed("b"));
  }

  @Test
  void skipsFullStages() {
    var decision = ViewerPlacement.place(List.of(active("a", 3), active("b", 10), active("c", 5)), 10, 5);
    assertThat(decision).isEqualTo(new Placed("c"));
  }

  @Test
  void keepsTheOldestOfEquallyFullStages() {
    var decision = ViewerPlacement.place(List.of(active("old", 4), active("new", 4)), 10, 5);
    assertThat(decision).isEqualTo(new Placed("old"));
  }

  @Test
  void neverPlacesOnADrainingStage() {
    var decision = ViewerPlacement.place(List.of(draining("d", 2), active("a", 1)), 10, 5);
    assertThat(decision).isEqualTo(new Placed("a"));
  }

  @Test
  void reportsAllFullAtMaxStages() {
    var decision = ViewerPlacement.place(List.of(active("a", 2), active("b", 2)), 2, 2);
    assertThat(decision).isEqualTo(new AllFull(true));
  }

  @Test
  void reportsAllFullBelowMaxStagesSoTheCallerKnowsAStageIsComing() {
    var decision = ViewerPlacement.place(List.of(active("a", 2)), 2, 3);
    assertThat(decision).isEqualTo(new AllFull(false));
  }

  @Test
  void countsDrainingStagesTowardsMaxStages() {
    var decision = ViewerPlacement.place(List.of(active("a", 2), draining("d", 1)), 2, 2);
    assertThat(decision).isEqualTo(new AllFull(true));
  }

  @Test
  void reportsNoActiveStageWhenThereIsNone() {
    assertThat(ViewerPlacement.place(List.of(), 10, 5)).isEqualTo(new NoActiveStage());
    assertThat(ViewerPlacement.place(List.of(draining("d", 0)), 10, 5)).isEqualTo(new NoActiveStage());
  }

  @Test
  void fillingViewerByViewerPacksStagesOneAfterAnotherAndNeverOverfills() {
    Map<String, Integer> counts = new HashMap<>(Map.of("a", 0, "b", 0, "c", 0));
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      List<StageLoad> loads = List.of(active("a", counts.get("a")), active("b", counts.get("b")),
          active("c", counts.get("c")));
      var placed = (Placed) ViewerPlacement.place(loads, 3, 3);
      counts.merge(placed.stageId(), 1, Integer::sum);
      order.add(placed.stageId());
    }
    assertThat(order).containsExactly("a", "a", "a", "b", "b", "b", "c", "c", "c");
    assertThat(ViewerPlacement.place(List.of(active("a", 3), active("b", 3), active("c", 3)), 3, 3))
        .isEqualTo(new AllFull(true));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> ViewerPlacement.place(List.of(), 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> active("a", -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
