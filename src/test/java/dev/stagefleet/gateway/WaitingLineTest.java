package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** One broadcast's waiting line: places kept across requests, expiry between requests, positions, release. */
@Tag("unit")
class WaitingLineTest {
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  @Test
  void positionsFollowArrivalOrderAndCloseUpWhenSomeoneAheadLeaves() {
    WaitingLine line = new WaitingLine();
    List<WaitingLine.Waiter> waiters = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      WaitingLine.Waiter waiter = line.waiter(null, false, "u" + i, T0);
      line.hold(waiter, new CompletableFuture<>());
      waiters.add(waiter);
    }

    assertThat(waiters).extracting(w -> line.position(w.id)).containsExactly(1, 2, 3, 4, 5);
    line.remove(waiters.get(1));

    assertThat(line.position(waiters.get(4).id)).isEqualTo(4);
    assertThat(line.position(waiters.get(1).id)).isZero();
    assertThat(line.nextHeld()).contains(waiters.get(0));
  }

  @Test
  void aClientAskingAgainWithItsWaitIdKeepsItsPlaceAndIsCountedOnce() {
    WaitingLine line = new WaitingLine();
    WaitingLine.Waiter first = line.waiter(null, false, "a", T0);
    CompletableFuture<JoinResult> request = new CompletableFuture<>();
    line.hold(first, request);
    WaitingLine.Waiter second = line.waiter(null, false, "b", T0);
    line.hold(second, new CompletableFuture<>());
    line.keep(first, T0.plusSeconds(5));

    WaitingLine.Waiter again = line.waiter(passOf(first), false, "a", T0.plusSeconds(1));
    CompletableFuture<JoinResult> retry = new CompletableFuture<>();

    assertThat(again).isSameAs(first);
    assertThat(line.hold(again, retry)).isEmpty();
    assertThat(line.size()).isEqualTo(2);
    assertThat(line.position(first.id)).isEqualTo(1);
    assertThat(line.nextHeld()).contains(first);
    // the same client asking twice at once: the older request is handed back to be answered without a seat
    assertThat(line.hold(first, new CompletableFuture<>())).contains(retry);
  }

  @Test
  void aWaiterBetweenRequestsStopsCountingWhenItsKeepRunsOutUnlessItCameBack() {
    WaitingLine line = new WaitingLine();
    WaitingLine.Waiter gone = line.waiter(null, false, "gone", T0);
    line.keep(gone, T0.plusSeconds(5));
    WaitingLine.Waiter back = line.waiter(null, false, "back", T0);
    line.keep(back, T0.plusSeconds(5));
    line.hold(line.waiter(passOf(back), false, "back", T0.plusSeconds(2)), new CompletableFuture<>());

    line.expire(T0.plusSeconds(4));
    assertThat(line.size()).isEqualTo(2);
    line.expire(T0.plusSeconds(5));

    assertThat(line.find(gone.id)).isEmpty();
    assertThat(line.find(back.id)).contains(back);
    assertThat(line.position(back.id)).isEqualTo(1);
  }

  @Test
  void releasingAllAnswersEveryHeldRequestAndRefusedOnesKeepCounting() {
    WaitingLine line = new WaitingLine();
    List<CompletableFuture<JoinResult>> requests = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CompletableFuture<JoinResult> request = new CompletableFuture<>();
      line.hold(line.waiter(null, false, "u" + i, T0), request);
      requests.add(request);
    }

    assertThat(line.releaseAll(T0.plus(Duration.ofSeconds(5)))).containsExactlyInAnyOrderElementsOf(requests);
    assertThat(line.holding()).isFalse();
    assertThat(line.size()).isEqualTo(3);
    line.expire(T0.plusSeconds(5));
    assertThat(line.isEmpty()).isTrue();
  }

  @Test
  void positionsStayExactAcrossThousandsOfArrivalsAndDepartures() {
    WaitingLine line = new WaitingLine();
    List<WaitingLine.Waiter> inLine = new ArrayList<>();
    Random random = new Random(42);
    for (int step = 0; step < 20_000; step++) {
      if (inLine.isEmpty() || random.nextInt(3) > 0) {
        WaitingLine.Waiter waiter = line.waiter(null, false, "u" + step, T0);
        line.hold(waiter, new CompletableFuture<>());
        inLine.add(waiter);
      } else {
        line.remove(inLine.remove(random.nextInt(inLine.size())));
      }
    }

    for (int i = 0; i < inLine.size(); i += 97) {
      assertThat(line.position(inLine.get(i).id)).isEqualTo(i + 1);
    }
    assertThat(line.size()).isEqualTo(inLine.size());
    assertThat(line.nextHeld()).contains(inLine.get(0));
  }

  @Test
  void roundsRunningAtOnceClaimDifferentWaitersAndAnUnseatedOneGoesBackToItsPlace() {
    WaitingLine line = new WaitingLine();
    List<WaitingLine.Waiter> waiters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      WaitingLine.Waiter waiter = line.waiter(null, false, "u" + i, T0);
      line.hold(waiter, new CompletableFuture<>());
      waiters.add(waiter);
    }

    WaitingLine.Waiter first = line.claimNext().orElseThrow();
    WaitingLine.Waiter second = line.claimNext().orElseThrow();
    // the first client asks again while a round tries to seat it: it is not offered to a third round
    line.hold(first, new CompletableFuture<>());

    assertThat(first).isSameAs(waiters.get(0));
    assertThat(second).isSameAs(waiters.get(1));
    assertThat(line.claimNext()).contains(waiters.get(2));
    assertThat(line.claimNext()).isEmpty();
    line.unclaim(first);
    line.unclaim(waiters.get(2));
    assertThat(line.nextHeld()).contains(first);
    assertThat(line.position(waiters.get(2).id)).isEqualTo(3);
    // a claimed waiter that was seated leaves the line; giving it back then does nothing
    line.remove(second);
    line.unclaim(second);
    assertThat(line.size()).isEqualTo(2);
    assertThat(line.claimNext()).contains(first);
    assertThat(line.claimNext()).contains(waiters.get(2));
  }

  @Test
  void aWaiterTakenOverKeepsItsIdAndIsRememberedAsAdoptedUntilItsReplicaForgetsIt() {
    WaitingLine line = new WaitingLine();
    var pass = new GatewayClaims.WaitPass("w-from-a", KEY, "replica-a", T0.minusSeconds(3), T0.plusSeconds(60));

    WaitingLine.Waiter taken = line.waiter(pass, true, "u", T0);
    line.hold(taken, new CompletableFuture<>());
    line.adopted(taken.id, "replica-a", T0.plusSeconds(7));
    line.adopted(taken.id, "replica-a", T0.plusSeconds(7));

    assertThat(taken.id).isEqualTo("w-from-a");
    assertThat(taken.arrived).as("the wait is measured from its first arrival").isEqualTo(T0.minusSeconds(3));
    assertThat(line.waiter(pass, true, "u", T0.plusSeconds(1))).as("asking again here").isSameAs(taken);
    assertThat(line.adopted()).as("asking twice with one pass is one waiter").isEqualTo(
        java.util.Map.of("replica-a", 1));
    line.remove(taken);
    line.expire(T0.plusSeconds(6));
    assertThat(line.adopted()).as("seated or gone, its replica may still count it").containsEntry("replica-a", 1);
    line.expire(T0.plusSeconds(7));
    assertThat(line.adopted()).isEmpty();
  }

  @Test
  void aWaiterTakenOverStandsWhereItsArrivalPutsItAndIsSeatedInThatOrder() {
    WaitingLine line = new WaitingLine();
    WaitingLine.Waiter first = line.waiter(null, false, "first", T0);
    WaitingLine.Waiter third = line.waiter(null, false, "third", T0.plusSeconds(2));
    WaitingLine.Waiter fourth = line.waiter(null, false, "fourth", T0.plusSeconds(2));
    WaitingLine.Waiter second = line.waiter(new GatewayClaims.WaitPass("w-b", KEY, "replica-b", T0.plusSeconds(1),
        T0.plusSeconds(60)), true, "second", T0.plusSeconds(3));
    WaitingLine.Waiter earliest = line.waiter(new GatewayClaims.WaitPass("w-c", KEY, "replica-c",
        T0.minusSeconds(1), T0.plusSeconds(60)), true, "earliest", T0.plusSeconds(3));
    List.of(first, second, third, fourth, earliest).forEach(w -> line.hold(w, new CompletableFuture<>()));

    assertThat(List.of(earliest, first, second, third, fourth)).extracting(w -> line.position(w.id))
        .containsExactly(1, 2, 3, 4, 5);
    List<String> seated = new ArrayList<>();
    line.claimNext().ifPresent(w -> seated.add(w.userId));
    line.claimNext().ifPresent(w -> seated.add(w.userId));
    line.claimNext().ifPresent(w -> seated.add(w.userId));
    assertThat(seated).containsExactly("earliest", "first", "second");
  }

  @Test
  void waitersFromElsewhereBeyondTheGapBetweenTwoNewcomersQueueAtTheEnd() {
    WaitingLine line = new WaitingLine();
    WaitingLine.Waiter first = line.waiter(null, false, "first", T0);
    WaitingLine.Waiter last = line.waiter(null, false, "last", T0.plusSeconds(10));
    List<WaitingLine.Waiter> between = new ArrayList<>();
    for (int i = 1; i <= WaitingLine.GAP; i++) {
      between.add(line.waiter(new GatewayClaims.WaitPass("w-" + i, KEY, "replica-b", T0.plusSeconds(i),
          T0.plusSeconds(60)), true, "between-" + i, T0.plusSeconds(11)));
    }

    assertThat(line.position(first.id)).isEqualTo(1);
    assertThat(between.subList(0, WaitingLine.GAP - 1)).extracting(w -> line.position(w.id))
        .containsExactly(2, 3, 4);
    assertThat(line.position(last.id)).isEqualTo(WaitingLine.GAP + 1);
    assertThat(line.position(between.get(WaitingLine.GAP - 1).id)).as("the gap is full").isEqualTo(
        WaitingLine.GAP + 2);
  }

  @Test
  void aWaiterFromElsewhereStillGoesAheadOfLaterNewcomersAfterTheFrontOfTheLineWasSeated() {
    WaitingLine line = new WaitingLine();
    WaitingLine.Waiter seated = line.waiter(null, false, "seated", T0);
    WaitingLine.Waiter later = line.waiter(null, false, "later", T0.plusSeconds(2));
    line.remove(seated);
    line.expire(T0.plusSeconds(3));

    WaitingLine.Waiter between = line.waiter(new GatewayClaims.WaitPass("w-b", KEY, "replica-b", T0.plusSeconds(1),
        T0.plusSeconds(60)), true, "between", T0.plusSeconds(3));
    WaitingLine.Waiter newcomer = line.waiter(null, false, "newcomer", T0.plusSeconds(4));

    assertThat(List.of(between, later, newcomer)).extracting(w -> line.position(w.id)).containsExactly(1, 2, 3);
  }

  @Test
  void aPassFromAReplicaWhoseClockRunsAheadArrivesNow() {
    WaitingLine line = new WaitingLine();
    WaitingLine.Waiter ahead = line.waiter(new GatewayClaims.WaitPass("w-f", KEY, "replica-b", T0.plusSeconds(30),
        T0.plusSeconds(60)), true, "ahead", T0);
    WaitingLine.Waiter next = line.waiter(null, false, "next", T0.plusSeconds(1));
    assertThat(ahead.arrived).isEqualTo(T0);
    assertThat(line.position(next.id)).isEqualTo(2);
  }

  @Test
  void aLineWithNoWaitersButAnAdoptionToReportIsNotEmpty() {
    WaitingLine line = new WaitingLine();
    line.adopted("w-x", "replica-b", T0.plusSeconds(5));
    assertThat(line.size()).isZero();
    assertThat(line.isEmpty()).isFalse();
    line.expire(T0.plusSeconds(5));
    assertThat(line.isEmpty()).isTrue();
  }

  private static final BroadcastKey KEY = new BroadcastKey("shows", "line");

  /** The wait pass a client of {@code waiter} holds, as this replica answered it. */
  private static GatewayClaims.WaitPass passOf(WaitingLine.Waiter waiter) {
    return new GatewayClaims.WaitPass(waiter.id, KEY, "replica-a", waiter.arrived, T0.plusSeconds(60));
  }
}
