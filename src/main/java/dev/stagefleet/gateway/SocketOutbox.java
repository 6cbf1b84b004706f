package dev.stagefleet.gateway;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Consumer;

/**
 * Messages waiting to go out on one WebSocket, written one at a time. The queue is bounded: a client that does not
 * read fast enough is disconnected rather than allowed to grow the gateway's memory.
 */
final class SocketOutbox {
  static final int CLOSE_NORMAL = 1000;
  static final int CLOSE_GOING_AWAY = 1001;
  static final int CLOSE_POLICY = 1008;
  static final int CLOSE_TRY_AGAIN_LATER = 1013;

  /** Where the messages go: an asynchronous text send and a close. */
  interface Transport {
    void send(String text, Runnable sent, Consumer<Throwable> failed);

    void close(int code, String reason);
  }

  private final Transport transport;
  private final int limit;
  private final Runnable onDroppedAsSlow;
  private final Queue<String> queue = new ArrayDeque<>();
  private boolean writing;
  private boolean closed;
  private int closeCode;
  private String closeReason;

  SocketOutbox(Transport transport, int limit, Runnable onDroppedAsSlow) {
    this.transport = transport;
    this.limit = limit;
    this.onDroppedAsSlow = onDroppedAsSlow;
  }

  /** Queues a message; false when the socket is closed or was just dropped for being too slow. */
  boolean offer(String message) {
    synchronized (this) {
      if (closed) {
        return false;
      }
      if (queue.size() < limit) {
        if (writing) {
          queue.add(message);
          return true;
        }
        writing = true;
      } else {
        closed = true;
        queue.clear();
        message = null;
      }
    }
    if (message == null) {
      transport.close(CLOSE_TRY_AGAIN_LATER, "client too slow: messages were piling up");
      onDroppedAsSlow.run();
      return false;
    }
    write(message);
    return true;
  }

  /** Closes the socket once the messages already queued have gone out. */
  void closeAfterSending(int code, String reason) {
    boolean closeNow;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      closeCode = code;
      closeReason = reason;
      closeNow = !writing;
    }
    if (closeNow) {
      transport.close(code, reason);
    }
  }

  /** Stops sending without closing (the peer is gone already). */
  synchronized void discard() {
    closed = true;
    queue.clear();
  }

  synchronized int queued() {
    return queue.size();
  }

  private void write(String message) {
    try {
      transport.send(message, this::sent, failure -> failed());
    } catch (RuntimeException e) {
      failed();
    }
  }

  /** A write failed: the peer is gone, so nothing more is sent. */
  private void failed() {
    discard();
    synchronized (this) {
      writing = false;
    }
  }

  private void sent() {
    String next;
    boolean closeNow = false;
    synchronized (this) {
      next = queue.poll();
      if (next == null) {
        writing = false;
        closeNow = closed && closeReason != null;
      }
    }
    if (next != null) {
      write(next);
    } else if (closeNow) {
      transport.close(closeCode, closeReason);
    }
  }
}
