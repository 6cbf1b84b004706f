package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The expiry queue gives items back in due order, whether they were added in order or not. */
@Tag("unit")
class ExpiryQueueTest {
  private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");

  @Test
  void givesBackOnlyWhatIsDueEarliestFirst() {
    ExpiryQueue<String> queue = new ExpiryQueue<>();
    queue.add(T0.plusSeconds(10), "ten");
    queue.add(T0.plusSeconds(30), "thirty");
    queue.add(T0.plusSeconds(5), "five, added late");
    queue.add(T0.plusSeconds(30), "thirty again");
    List<String> taken = new ArrayList<>();

    assertThat(queue.anyDue(T0.plusSeconds(4))).isFalse();
    queue.drainDue(T0.plusSeconds(10), taken::add);

    assertThat(taken).containsExactly("five, added late", "ten");
    assertThat(queue.size()).isEqualTo(2);
    queue.drainDue(T0.plusSeconds(30), taken::add);
    assertThat(taken).containsExactly("five, added late", "ten", "thirty", "thirty again");
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void drainsInTheOrderAHeapWouldAcrossMostlyOrderedArrivals() {
    Random random = new Random(17);
    ExpiryQueue<Long> queue = new ExpiryQueue<>();
    PriorityQueue<Long> heap = new PriorityQueue<>();
    long clock = 0;
    List<Long> taken = new ArrayList<>();
    List<Long> expected = new ArrayList<>();
    for (int step = 0; step < 20_000; step++) {
      clock += random.nextInt(3);
      long due = clock + 30 - (random.nextInt(20) == 0 ? random.nextInt(40) : 0); // now and then one is early
      queue.add(T0.plusMillis(due), due);
      heap.add(due);
      if (random.nextInt(50) == 0) {
        long now = clock;
        queue.drainDue(T0.plusMillis(now), taken::add);
        while (!heap.isEmpty() && heap.peek() <= now) {
          expected.add(heap.poll());
        }
        assertThat(taken).isEqualTo(expected);
      }
    }
    assertThat(taken).isNotEmpty();
  }
}
