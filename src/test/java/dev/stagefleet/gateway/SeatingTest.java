package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.SeatSharesTest.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.AudienceReports;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.scaling.ViewerPlacement.AllFull;
import dev.stagefleet.scaling.ViewerPlacement.NoSeatHere;
import dev.stagefleet.scaling.ViewerPlacement.Placed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Placement keeps its index of the stages between joins and sees every change that moves a stage's load or seats. */
@Tag("unit")
class SeatingTest {
  private final Seating seating = new Seating("me");
  private final AudienceBook book = new AudienceBook(Duration.ofSeconds(30));

  @Test
  void eachViewerThisReplicaAddsCountsForTheNextPlacement() {
    LiveBroadcast broadcast = broadcast(2, "s1", "s2");
    book.seats(Map.of("s1", 2, "s2", 2), NOW.plusSeconds(60));

    assertThat(seating.place(book, broadcast, NOW)).isEqualTo(new Placed("s1"));
    add(broadcast, "s1");
    add(broadcast, "s1");
    assertThat(seating.place(book, broadcast, NOW)).isEqualTo(new Placed("s2"));
    add(broadcast, "s2");
    add(broadcast, "s2");
    assertThat(seating.place(book, broadcast, NOW)).isEqualTo(new AllFull(false));
  }

  @Test
  void viewersWhoseWindowPassedFreeTheirSeatsForTheNextPlacement() {
    LiveBroadcast broadcast = broadcast(1, "s1");
    book.seats(Map.of("s1", 1), NOW.plusSeconds(600));
    add(broadcast, "s1");
    assertThat(seating.place(book, broadcast, NOW)).isEqualTo(new AllFull(false));

    assertThat(seating.place(book, broadcast, NOW.plusSeconds(30))).isEqualTo(new Placed("s1"));
  }

  @Test
  void aWholeBurstWhoseWindowPassedAtOnceFreesEveryStageItFilled() {
    LiveBroadcast broadcast = broadcast(2, "s1", "s2", "s3");
    book.seats(Map.of("s1", 2, "s2", 2, "s3", 2), NOW.plusSeconds(600));
    for (String stage : List.of("s1", "s1", "s2", "s2", "s3")) {
      add(broadcast, stage);
    }
    assertThat(seating.place(book, broadcast, NOW)).isEqualTo(new Placed("s3"));
    book.add(new Viewer("late", BroadcastKey.of(broadcast), "u", broadcast.getStatus().getStages().get(1),
        NOW.plusSeconds(10)), NOW.plusSeconds(10));

    assertThat(seating.place(book, broadcast, NOW.plusSeconds(30))).as("s2 keeps the late viewer")
        .isEqualTo(new Placed("s2"));
    assertThat(seating.place(book, broadcast, NOW.plusSeconds(40))).isEqualTo(new Placed("s1"));
  }

  @Test
  void anotherReplicasReportThatGoesStaleGivesItsSeatsBackWithoutAChangeToTheBroadcast() {
    LiveBroadcast broadcast = broadcast(3, "s1");
    SeatSharesTest.report(broadcast, "other", Map.of("s1", 3), Map.of("s1", 3), 0);
    book.seats(Map.of("s1", 3), NOW.plusSeconds(600));
    Instant lastFresh = NOW.plus(AudienceReports.STALE_AFTER);

    assertThat(seating.place(book, broadcast, NOW)).isEqualTo(new AllFull(false));
    assertThat(seating.place(book, broadcast, lastFresh)).isEqualTo(new AllFull(false));
    assertThat(seating.place(book, broadcast, lastFresh.plusMillis(1))).isEqualTo(new Placed("s1"));
  }

  @Test
  void seatsThatLapseOrChangeTakeEffectOnTheNextPlacement() {
    LiveBroadcast broadcast = broadcast(5, "s1", "s2");
    book.seats(Map.of("s2", 1), NOW.plusSeconds(10));
    assertThat(seating.place(book, broadcast, NOW)).isEqualTo(new Placed("s2"));

    assertThat(seating.place(book, broadcast, NOW.plusSeconds(10))).as("lapsed").isEqualTo(new NoSeatHere());

    book.seats(Map.of("s1", 1), NOW.plusSeconds(20));
    assertThat(seating.place(book, broadcast, NOW.plusSeconds(10))).isEqualTo(new Placed("s1"));
    book.limitSeats(Map.of());
    assertThat(seating.place(book, broadcast, NOW.plusSeconds(10))).as("given back").isEqualTo(new NoSeatHere());
  }

  @Test
  void aNewVersionOfTheBroadcastIsPlacedOnAtOnceWithItsOwnStages() {
    LiveBroadcast first = broadcast(5, "s1");
    book.seats(Map.of("s1", 5, "s2", 5), NOW.plusSeconds(60));
    assertThat(seating.place(book, first, NOW)).isEqualTo(new Placed("s1"));

    LiveBroadcast second = broadcast(5, "s1", "s2");
    second.getStatus().getStages().get(0).setState(StageStatus.DRAINING);
    assertThat(seating.place(book, second, NOW)).isEqualTo(new Placed("s2"));
    assertThat(Seating.placedOn(book, "s2")).isSameAs(second.getStatus().getStages().get(1));
  }

  @Test
  void theOperatorsCountOfAStageCountsWhenItIsMoreThanTheReports() {
    LiveBroadcast broadcast = broadcast(4, "s1", "s2");
    broadcast.getStatus().getStages().get(1).setViewers(3);
    book.seats(Map.of("s1", 4, "s2", 4), NOW.plusSeconds(60));
    add(broadcast, "s1");

    assertThat(seating.place(book, broadcast, NOW)).isEqualTo(new Placed("s2"));
  }

  private LiveBroadcast broadcast(int perStage, String... stageIds) {
    LiveBroadcast broadcast = SeatSharesTest.broadcast(perStage, stageIds);
    broadcast.getSpec().setMaxStages(stageIds.length + 1);
    return broadcast;
  }

  private void add(LiveBroadcast broadcast, String stageId) {
    StageStatus stage = List.copyOf(broadcast.getStatus().getStages()).stream()
        .filter(s -> s.getId().equals(stageId)).findFirst().orElseThrow();
    book.add(new Viewer("v" + book.viewers().size(), BroadcastKey.of(broadcast), "u", stage, NOW), NOW);
  }
}
