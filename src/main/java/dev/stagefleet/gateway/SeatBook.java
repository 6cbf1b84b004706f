package dev.stagefleet.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * This replica's side of the seat shares in {@code status.audience}, per broadcast: the seats its last report holds,
 * whether it lacked seats lately, and the viewers it took over from other replicas. It reads and writes the same
 * {@link AudienceBook}s as {@link Audience}, under each book's lock; {@link AudienceReporter} is its caller.
 */
final class SeatBook {
  private final Map<BroadcastKey, AudienceBook> books;
  private final Clock clock;
  private final Duration pendingWindow;

  SeatBook(Map<BroadcastKey, AudienceBook> books, Clock clock, Duration pendingWindow) {
    this.books = books;
    this.clock = clock;
    this.pendingWindow = pendingWindow;
  }

  /**
   * The broadcast's seats for {@link AudienceReporter}: lowers the seats held to {@code limit} at once (seats given
   * back stop being filled before the report says so) and returns this replica's counting viewers per stage.
   */
  Map<String, Integer> limitSeats(BroadcastKey key, Map<String, Integer> limit) {
    AudienceBook book = books.computeIfAbsent(key, k -> new AudienceBook(pendingWindow));
    synchronized (book) {
      book.limitSeats(limit);
      return new TreeMap<>(book.counting(clock.instant()));
    }
  }

  /** Whether a join or a move of the broadcast lacked seats lately: this replica asks for a share of the spare. */
  boolean lacksSeats(BroadcastKey key) {
    AudienceBook book = books.get(key);
    if (book == null) {
      return false;
    }
    synchronized (book) {
      return book.lacksSeats(clock.instant(), ViewerMoves.RETRY_INTERVAL.multipliedBy(3));
    }
  }

  /** The seats a report just written holds, until {@code until}. */
  void holdSeats(BroadcastKey key, Map<String, Integer> seats, Instant until) {
    AudienceBook book = books.computeIfAbsent(key, k -> new AudienceBook(pendingWindow));
    synchronized (book) {
      book.seats(seats, until);
    }
  }

  /** The seats held for the broadcast now. */
  Map<String, Integer> seats(BroadcastKey key) {
    AudienceBook book = books.get(key);
    if (book == null) {
      return Map.of();
    }
    synchronized (book) {
      return book.seats(clock.instant());
    }
  }

  /** Viewers per {@code <replica>/<stageId>} this replica took over lately, that their first replica may still count. */
  Map<String, Integer> adopted(BroadcastKey key) {
    AudienceBook book = books.get(key);
    if (book == null) {
      return Map.of();
    }
    synchronized (book) {
      return book.adopted(clock.instant());
    }
  }
}
