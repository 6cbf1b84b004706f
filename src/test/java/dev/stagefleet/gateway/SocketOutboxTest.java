package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SocketOutboxTest {

  /** A socket whose writes complete only when the test says so. */
  static final class ManualTransport implements SocketOutbox.Transport {
    final List<String> written = new ArrayList<>();
    final List<Runnable> pending = new ArrayList<>();
    Integer closedWith;

    @Override
    public void send(String text, Runnable sent, Consumer<Throwable> failed) {
      written.add(text);
      pending.add(sent);
    }

    @Override
    public void close(int code, String reason) {
      closedWith = code;
    }

    void completeAll() {
      while (!pending.isEmpty()) {
        pending.remove(0).run();
      }
    }
  }

  @Test
  void sendsOneMessageAtATimeInOrder() {
    var transport = new ManualTransport();
    var outbox = new SocketOutbox(transport, 10, () -> { });
    outbox.offer("a");
    outbox.offer("b");
    outbox.offer("c");
    assertThat(transport.written).containsExactly("a");
    transport.completeAll();
    assertThat(transport.written).containsExactly("a", "b", "c");
    assertThat(transport.closedWith).isNull();
  }

  @Test
  void dropsAClientThatDoesNotKeepUp() {
    var transport = new ManualTransport();
    var dropped = new AtomicInteger();
    var outbox = new SocketOutbox(transport, 3, dropped::incrementAndGet);
    for (int i = 0; i < 4; i++) {
      assertThat(outbox.offer("m" + i)).isTrue();
    }
    assertThat(outbox.offer("one too many")).isFalse();
    assertThat(transport.closedWith).isEqualTo(SocketOutbox.CLOSE_TRY_AGAIN_LATER);
    assertThat(dropped).hasValue(1);
    assertThat(outbox.queued()).isZero();
    assertThat(outbox.offer("after")).isFalse();
    transport.completeAll();
    assertThat(transport.written).containsExactly("m0");
  }

  @Test
  void closesOnlyAfterTheQueuedMessagesWentOut() {
    var transport = new ManualTransport();
    var outbox = new SocketOutbox(transport, 10, () -> { });
    outbox.offer("last words");
    outbox.offer("really last");
    outbox.closeAfterSending(SocketOutbox.CLOSE_NORMAL, "ended");
    assertThat(transport.closedWith).isNull();
    assertThat(outbox.offer("too late")).isFalse();
    transport.completeAll();
    assertThat(transport.written).containsExactly("last words", "really last");
    assertThat(transport.closedWith).isEqualTo(SocketOutbox.CLOSE_NORMAL);
  }
}
