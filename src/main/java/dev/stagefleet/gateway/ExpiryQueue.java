package dev.stagefleet.gateway;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Items due at an instant, taken out in due order. A book's viewers fall due one pending window after they joined or
 * dropped, so almost every item is due no earlier than the one added before it: those go on a FIFO (O(1) to add and
 * take), and only the rare item due earlier (a clock step back, a window that changed) on a heap beside it.
 * Not thread-safe.
 */
final class ExpiryQueue<T> {
  private record Due<T>(Instant at, T item) {
  }

  private final ArrayDeque<Due<T>> inOrder = new ArrayDeque<>();
  private final PriorityQueue<Due<T>> early = new PriorityQueue<>(Comparator.comparing(Due::at));

  /** Adds {@code item}, due at {@code at}. */
  void add(Instant at, T item) {
    Due<T> due = new Due<>(at, item);
    Due<T> last = inOrder.peekLast();
    if (last == null || !at.isBefore(last.at())) {
      inOrder.addLast(due);
    } else {
      early.add(due);
    }
  }

  /** Takes out every item due at or before {@code now}, earliest first. */
  void drainDue(Instant now, Consumer<T> action) {
    while (true) {
      Due<T> next = next();
      if (next == null || next.at().isAfter(now)) {
        return;
      }
      (next == inOrder.peekFirst() ? inOrder : early).poll();
      action.accept(next.item());
    }
  }

  /** Whether any item is due at or before {@code now}. */
  boolean anyDue(Instant now) {
    Due<T> next = next();
    return next != null && !next.at().isAfter(now);
  }

  boolean isEmpty() {
    return inOrder.isEmpty() && early.isEmpty();
  }

  int size() {
    return inOrder.size() + early.size();
  }

  void clear() {
    inOrder.clear();
    early.clear();
  }

  private Due<T> next() {
    Due<T> a = inOrder.peekFirst();
    Due<T> b = early.peek();
    if (a == null) {
      return b;
    }
    return b != null && b.at().isBefore(a.at()) ? b : a;
  }
}
