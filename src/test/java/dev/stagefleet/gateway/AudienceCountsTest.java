package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The per-stage counts an audience book keeps as viewers come and go must always equal a full recount. */
@Tag("unit")
class AudienceCountsTest {
  private static final Duration WINDOW = Duration.ofSeconds(30);
  private static final BroadcastKey SHOW = new BroadcastKey("shows", "show");
  private static final List<StageStatus> STAGES = List.of(stage("s0"), stage("s1"), stage("s2"), stage("s3"));

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Random random = new Random(20261124L);
  private final AudienceBook book = new AudienceBook(WINDOW);
  /** Every viewer the book was given and has not handed back as forgotten or removed. */
  private final List<Viewer> known = new ArrayList<>();
  private final Map<Viewer, SocketOutbox> sockets = new HashMap<>();
  private final List<Viewer> moving = new ArrayList<>();

  @Test
  void incrementalCountsMatchAFullRecountThroughRandomJoinsPresenceExpiriesAndMoves() {
    int added = 0;
    int forgotten = 0;
    int moved = 0;
    for (int step = 0; step < 6_000; step++) {
      int op = random.nextInt(100);
      Instant now = clock.instant();
      if (op < 30) {
        Viewer viewer = new Viewer("v" + step, SHOW, "user-" + step, pick(STAGES), now);
        if (op < 6) {
          // a viewer taken over from another replica, which may count it for the pending window
          viewer.adoptedFrom("replica-" + random.nextInt(2), pick(STAGES).getId(), now);
        }
        book.add(viewer, now);
        known.add(viewer);
        added++;
      } else if (op < 34 && !known.isEmpty()) {
        // a token could not be minted: the viewer is taken back
        Viewer viewer = pick(known);
        book.remove(viewer, now);
        known.remove(viewer);
        sockets.remove(viewer);
      } else if (op < 48 && !known.isEmpty()) {
        Viewer viewer = pick(known);
        SocketOutbox socket = socket();
        book.connected(viewer, socket, now);
        sockets.put(viewer, socket);
      } else if (op < 60 && !sockets.isEmpty()) {
        Viewer viewer = pick(new ArrayList<>(sockets.keySet()));
        book.disconnected(viewer, sockets.remove(viewer), now);
      } else if (op < 64 && !known.isEmpty()) {
        // a stale socket closing after it was replaced changes nothing
        book.disconnected(pick(known), socket(), now);
      } else if (op < 72 && !known.isEmpty()) {
        Viewer viewer = pick(known);
        if (!viewer.moving()) {
          book.startMove(viewer, pick(STAGES), now);
          moving.add(viewer);
        }
      } else if (op < 80 && !moving.isEmpty()) {
        // the move is told (the viewer stays on its new stage) or fails (it goes back to where it was)
        Viewer viewer = moving.remove(random.nextInt(moving.size()));
        book.endMove(viewer, random.nextBoolean() ? viewer.stage() : pick(STAGES), now);
        moved++;
      } else if (op < 93) {
        clock.advance(Duration.ofMillis(random.nextInt(8_000)));
      } else {
        List<Viewer> gone = book.forgetExpired(now);
        assertThat(gone).allSatisfy(v -> assertThat(v.counts(now, WINDOW)).as("forgotten %s counts", v.id()).isFalse());
        known.removeAll(gone);
        gone.forEach(sockets::remove);
        forgotten += gone.size();
      }
      assertThat(new TreeMap<>(book.counting(clock.instant()))).as("counts at step %d", step).isEqualTo(bruteForce());
      assertThat(book.viewers()).as("the book's viewers at step %d", step).containsExactlyInAnyOrderElementsOf(known);
      assertThat(book.present()).as("present viewers at step %d", step)
          .containsExactlyInAnyOrderElementsOf(known.stream().filter(Viewer::present).toList());
      assertThat(book.adopted(clock.instant())).as("adopted at step %d", step).isEqualTo(adoptedBruteForce());
    }
    // the sequence really exercised every path the counts follow
    assertThat(added).isGreaterThan(1_000);
    assertThat(forgotten).isGreaterThan(100);
    assertThat(moved).isGreaterThan(100);
  }

  @Test
  void aViewerWhoseWindowPassedCountsAgainWhenItsPresenceSocketOpensBeforeItIsForgotten() {
    Viewer viewer = new Viewer("late", SHOW, "u", STAGES.get(0), clock.instant());
    book.add(viewer, clock.instant());
    clock.advance(WINDOW);
    assertThat(book.counting(clock.instant())).isEmpty();

    book.connected(viewer, socket(), clock.instant());

    assertThat(book.counting(clock.instant())).containsExactly(Map.entry("s0", 1));
    assertThat(book.forgetExpired(clock.instant())).isEmpty();
  }

  @Test
  void anEndedBookForgetsEveryViewerAndCountsNone() {
    Viewer viewer = new Viewer("v", SHOW, "u", STAGES.get(1), clock.instant());
    book.add(viewer, clock.instant());

    book.connected(viewer, socket(), clock.instant());

    assertThat(book.end()).containsExactly(viewer);

    assertThat(book.ended()).isTrue();
    assertThat(book.viewers()).isEmpty();
    assertThat(book.present()).isEmpty();
    assertThat(book.counting(clock.instant())).isEmpty();
  }

  /** Every viewer the book still has, counted from scratch. */
  private Map<String, Integer> bruteForce() {
    Instant now = clock.instant();
    Map<String, Integer> counts = new TreeMap<>();
    for (Viewer v : known) {
      if (v.counts(now, WINDOW)) {
        counts.merge(v.stage().getId(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Counting viewers per {@code <replica>/<stageId>} taken over within the window, from a walk over all of them. */
  private Map<String, Integer> adoptedBruteForce() {
    Instant now = clock.instant();
    Map<String, Integer> adopted = new TreeMap<>();
    for (Viewer v : known) {
      String from = v.adoptedKey(now, WINDOW);
      if (from != null && v.counts(now, WINDOW)) {
        adopted.merge(from, 1, Integer::sum);
      }
    }
    return adopted;
  }

  private <T> T pick(List<T> from) {
    return from.get(random.nextInt(from.size()));
  }

  private static StageStatus stage(String id) {
    return KubeFixture.stage(id, StageStatus.ACTIVE, null);
  }

  /** A presence socket that sends everything at once. */
  static SocketOutbox socket() {
    return new SocketOutbox(new SocketOutbox.Transport() {
      @Override
      public void send(String text, Runnable sent, Consumer<Throwable> failed) {
        sent.run();
      }

      @Override
      public void close(int code, String reason) {
      }
    }, 1_000, () -> { });
  }
}
