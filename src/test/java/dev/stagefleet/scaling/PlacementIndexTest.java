package dev.stagefleet.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.scaling.PlacementIndex.Stage;
import dev.stagefleet.scaling.ViewerPlacement.AllFull;
import dev.stagefleet.scaling.ViewerPlacement.Decision;
import dev.stagefleet.scaling.ViewerPlacement.NoActiveStage;
import dev.stagefleet.scaling.ViewerPlacement.NoSeatHere;
import dev.stagefleet.scaling.ViewerPlacement.Placed;
import dev.stagefleet.scaling.ViewerPlacement.StageLoad;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PlacementIndexTest {

  @Test
  void placesOnTheFullestStageWithRoomAndFollowsTheCountsAsTheyChange() {
    PlacementIndex index = new PlacementIndex(List.of(stage("a", 0, 0, 10), stage("b", 0, 0, 10)), 3,
        Map.of("a", 1, "b", 2));
    assertThat(index.place(5)).isEqualTo(new Placed("b"));

    index.count("b", 3);
    assertThat(index.place(5)).isEqualTo(new Placed("a"));

    index.count("b", 1);
    assertThat(index.place(5)).as("equally full: the older stage").isEqualTo(new Placed("a"));
  }

  @Test
  void otherReplicasViewersAndTheOperatorsCountAddToTheLoad() {
    PlacementIndex index = new PlacementIndex(List.of(stage("a", 4, 0, 10), stage("b", 0, 9, 10)), 10,
        Map.of("a", 1, "b", 3));

    assertThat(index.place(5)).as("b counts the operator's 9, more than this replica's 3").isEqualTo(new Placed("b"));
    index.count("a", 6);
    assertThat(index.place(5)).as("a: 6 here + 4 elsewhere is full").isEqualTo(new Placed("b"));
  }

  @Test
  void withoutSeatsOnTheFullestStageItPlacesWhereThisReplicaHasSeatsElseNowhere() {
    PlacementIndex index = new PlacementIndex(List.of(stage("a", 0, 0, 5), stage("b", 6, 0, 2)), 10,
        Map.of("a", 1, "b", 2));
    assertThat(index.place(5)).isEqualTo(new Placed("a"));

    index.count("a", 5);
    assertThat(index.place(5)).as("b has room but its free seats are another replica's").isEqualTo(new NoSeatHere());
  }

  @Test
  void saysWhyNoStageTakesTheViewer() {
    assertThat(new PlacementIndex(List.of(), 10, Map.of()).place(3)).isEqualTo(new NoActiveStage());
    assertThat(new PlacementIndex(List.of(new Stage("a", false, 0, 0, 10)), 10, Map.of()).place(3))
        .isEqualTo(new NoActiveStage());
    PlacementIndex full = new PlacementIndex(List.of(stage("a", 0, 0, 10), stage("b", 0, 0, 10)), 1,
        Map.of("a", 1, "b", 1));
    assertThat(full.place(3)).isEqualTo(new AllFull(false));
    assertThat(full.place(2)).isEqualTo(new AllFull(true));
  }

  @Test
  void refusesACapacityBelowOne() {
    assertThatThrownBy(() -> new PlacementIndex(List.of(), 0, Map.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decidesAsThePureRuleDoesAcrossThousandsOfCountChanges() {
    Random random = new Random(17);
    for (int round = 0; round < 200; round++) {
      int capacity = 1 + random.nextInt(8);
      int maxStages = 1 + random.nextInt(8);
      // others' viewers and seats are per stage id, as the reports have them
      int[] others = random.ints(5, 0, capacity + 2).toArray();
      int[] seats = random.ints(5, 0, capacity + 2).toArray();
      List<Stage> stages = new ArrayList<>();
      int size = random.nextInt(7);
      for (int i = 0; i < size; i++) {
        // few ids, so some stages share one, as a status that lists a stage twice would
        int id = random.nextInt(5);
        stages.add(new Stage("s" + id, random.nextInt(4) > 0, others[id],
            random.nextInt(4) == 0 ? random.nextInt(capacity + 2) : 0, seats[id]));
      }
      Map<String, Integer> local = new HashMap<>();
      for (int i = 0; i < 5; i++) {
        if (random.nextBoolean()) {
          local.put("s" + i, random.nextInt(capacity + 2));
        }
      }
      PlacementIndex index = new PlacementIndex(stages, capacity, local);
      for (int step = 0; step < 50; step++) {
        assertThat(index.place(maxStages)).as("round %d step %d: %s with %s", round, step, stages, local)
            .isEqualTo(naive(stages, capacity, maxStages, local));
        String id = "s" + random.nextInt(6); // s5 is on no stage
        int viewers = Math.max(0, local.getOrDefault(id, 0) + random.nextInt(5) - 2);
        local.put(id, viewers);
        index.count(id, viewers);
      }
    }
  }

  @Test
  void aViewerPlacedAtATimeNeverOverfillsAStageOrItsSeats() {
    List<Stage> stages = List.of(stage("a", 3, 0, 4), stage("b", 0, 0, 10), stage("c", 8, 0, 10));
    Map<String, Integer> local = new HashMap<>();
    PlacementIndex index = new PlacementIndex(stages, 10, local);
    Decision decision = index.place(3);
    for (int placedSoFar = 0; decision instanceof Placed placed && placedSoFar < 100; placedSoFar++) {
      index.count(placed.stageId(), local.merge(placed.stageId(), 1, Integer::sum));
      decision = index.place(3);
    }

    assertThat(decision).as("a has room, but only in another replica's seats").isEqualTo(new NoSeatHere());
    assertThat(local).containsExactlyInAnyOrderEntriesOf(Map.of("a", 4, "b", 10, "c", 2));
  }

  /** The pure rule, fed the loads and seats left the index is built from. */
  private static Decision naive(List<Stage> stages, int capacity, int maxStages, Map<String, Integer> local) {
    List<StageLoad> loads = new ArrayList<>();
    Map<String, Integer> seatsLeft = new HashMap<>();
    for (Stage stage : stages) {
      int mine = local.getOrDefault(stage.stageId(), 0);
      loads.add(new StageLoad(stage.stageId(), stage.active(), Math.max(mine + stage.others(), stage.observed())));
      seatsLeft.put(stage.stageId(), stage.seats() - mine);
    }
    return ViewerPlacement.place(loads, capacity, maxStages, seatsLeft);
  }

  private static Stage stage(String id, int others, int observed, int seats) {
    return new Stage(id, true, others, observed, seats);
  }
}
