package dev.stagefleet.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Wrong API keys per client address: after {@link #LIMIT} failures within {@link #WINDOW} of the first, the address
 * is held off until that window ends, so keys cannot be guessed at line rate. The addresses tracked are bounded
 * (least recently seen go first). resilience4j's limiter, used for joins, reads the system's nano clock; this one
 * takes the gateway's clock so the window is tested without waiting.
 */
final class FailedAuthentications {
  static final int LIMIT = 20;
  static final Duration WINDOW = Duration.ofMinutes(1);

  private record Window(Instant start, int failures) {
  }

  private final Clock clock;
  private final Map<String, Window> windows = ClientRateLimits.perClient();

  FailedAuthentications(Clock clock) {
    this.clock = clock;
  }

  /** How long the client must wait before its next attempt is even looked at; empty when it may try now. */
  synchronized Optional<Duration> holdOff(String client) {
    Window window = current(client, clock.instant());
    if (window == null || window.failures() < LIMIT) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(clock.instant(), window.start().plus(WINDOW)));
  }

  /** Counts one wrong key from the client. */
  synchronized void failed(String client) {
    Instant now = clock.instant();
    Window window = current(client, now);
    windows.put(client, window == null ? new Window(now, 1) : new Window(window.start(), window.failures() + 1));
  }

  private Window current(String client, Instant now) {
    Window window = windows.get(client);
    if (window != null && !now.isBefore(window.start().plus(WINDOW))) {
      windows.remove(client);
      return null;
    }
    return window;
  }
}
