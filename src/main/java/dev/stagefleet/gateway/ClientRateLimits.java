package dev.stagefleet.gateway;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A request rate limit per client address; the addresses tracked are bounded (least recently seen go first). */
final class ClientRateLimits {
  static final int MAX_CLIENTS = 10_000;

  private final RateLimiterConfig config;
  private final Map<String, RateLimiter> limiters = perClient();

  ClientRateLimits(int perSecond) {
    this.config = RateLimiterConfig.custom()
        .limitForPeriod(Math.max(1, perSecond))
        .limitRefreshPeriod(Duration.ofSeconds(1))
        .timeoutDuration(Duration.ZERO)
        .build();
  }

  /** A map keyed by client address holding at most {@link #MAX_CLIENTS}; the least recently seen go first. */
  static <V> Map<String, V> perClient() {
    return new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_CLIENTS;
      }
    };
  }

  /** True when the client may make one more request now. */
  boolean tryAcquire(String client) {
    RateLimiter limiter;
    synchronized (limiters) {
      limiter = limiters.computeIfAbsent(client, c -> RateLimiter.of("client", config));
    }
    return limiter.acquirePermission();
  }
}
