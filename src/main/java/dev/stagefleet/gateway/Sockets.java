package dev.stagefleet.gateway;

import io.javalin.websocket.WsContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** The open WebSockets of one kind, each with its bounded outbox, counted in the sockets gauge. */
final class Sockets<T> {
  private record Entry<T>(SocketOutbox outbox, T attachment) {
  }

  private final Map<String, Entry<T>> open = new ConcurrentHashMap<>();
  private final AtomicInteger gauge;
  private final int queueLimit;
  private final GatewayMetrics metrics;

  Sockets(String kind, int queueLimit, GatewayMetrics metrics) {
    this.gauge = metrics.sockets(kind);
    this.queueLimit = queueLimit;
    this.metrics = metrics;
  }

  /** Registers a socket that just connected; {@code attach} builds what the socket stands for from its outbox. */
  T opened(WsContext ctx, java.util.function.Function<SocketOutbox, T> attach) {
    Session session = ctx.session;
    SocketOutbox outbox = new SocketOutbox(new SocketOutbox.Transport() {
      @Override
      public void send(String text, Runnable sent, java.util.function.Consumer<Throwable> failed) {
        session.sendText(text, Callback.from(sent, failed));
      }

      @Override
      public void close(int code, String reason) {
        session.close(code, reason, Callback.NOOP);
      }
    }, queueLimit, () -> metrics.socketDropped("slow"));
    T attachment = attach.apply(outbox);
    open.put(ctx.sessionId(), new Entry<>(outbox, attachment));
    gauge.incrementAndGet();
    return attachment;
  }

  /** Forgets a closed socket; returns what was attached to it, or null when it was not registered. */
  T closed(WsContext ctx) {
    Entry<T> entry = open.remove(ctx.sessionId());
    if (entry == null) {
      return null;
    }
    gauge.decrementAndGet();
    entry.outbox().discard();
    return entry.attachment();
  }

  SocketOutbox outbox(WsContext ctx) {
    Entry<T> entry = open.get(ctx.sessionId());
    return entry == null ? null : entry.outbox();
  }

  /** Closes every socket (shutdown). */
  void closeAll(String reason) {
    open.values().forEach(e -> e.outbox().closeAfterSending(SocketOutbox.CLOSE_GOING_AWAY, reason));
  }
}
