package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Rounds run soon after they are asked for, at most once per gap, with the asks between coalesced. */
@Tag("unit")
class PacedRoundTest {
  static final Duration GAP = Duration.ofMillis(150);

  /** A scheduler run by hand: each task waits until the test runs it, and remembers its delay. */
  static final class HandScheduler {
    record Task(Runnable task, Duration delay) {
    }

    final Deque<Task> tasks = new ArrayDeque<>();
    boolean stopped;

    void later(Runnable task, Duration delay) {
      if (stopped) {
        throw new RejectedExecutionException("stopped");
      }
      tasks.add(new Task(task, delay));
    }

    Duration runNext() {
      Task next = tasks.poll();
      next.task().run();
      return next.delay();
    }
  }

  final HandScheduler scheduler = new HandScheduler();
  final List<Integer> rounds = new ArrayList<>();
  final PacedRound paced = new PacedRound(() -> rounds.add(rounds.size() + 1), GAP, scheduler::later);

  @Test
  void aFirstAskRunsARoundAtOnce() {
    paced.ask();

    assertThat(scheduler.runNext()).isZero();
    assertThat(rounds).hasSize(1);
  }

  @Test
  void asksDuringTheGapAreCoalescedIntoOneRoundAfterIt() {
    paced.ask();
    scheduler.runNext();

    paced.ask();
    paced.ask();
    paced.ask();

    assertThat(scheduler.tasks).as("only the gap's end is scheduled").hasSize(1);
    assertThat(scheduler.runNext()).isEqualTo(GAP);
    assertThat(rounds).as("one more round for three asks").hasSize(2);
    assertThat(scheduler.runNext()).as("the next gap").isEqualTo(GAP);
    assertThat(rounds).hasSize(2);
    assertThat(scheduler.tasks).isEmpty();
  }

  @Test
  void withoutAsksDuringTheGapTheNextAskRunsAtOnceAgain() {
    paced.ask();
    scheduler.runNext();
    scheduler.runNext();

    paced.ask();

    assertThat(scheduler.runNext()).isZero();
    assertThat(rounds).hasSize(2);
  }

  @Test
  void anAskWhileTheRoundRunsIsServedByAnotherRound() {
    PacedRound[] self = new PacedRound[1];
    List<String> seen = new ArrayList<>();
    self[0] = new PacedRound(() -> {
      seen.add("round");
      if (seen.size() == 1) {
        self[0].ask(); // demand grew after the round read it
      }
    }, GAP, scheduler::later);

    self[0].ask();
    scheduler.runNext();
    scheduler.runNext();

    assertThat(seen).containsExactly("round", "round");
  }

  @Test
  void aStoppedSchedulerLeavesItReadyToAskAgain() {
    scheduler.stopped = true;
    paced.ask();
    scheduler.stopped = false;

    paced.ask();

    assertThat(scheduler.runNext()).isZero();
    assertThat(rounds).hasSize(1);
  }
}
