package dev.stagefleet.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Short-lived tickets that let a browser open the broadcaster socket (browsers cannot set headers on a WebSocket,
 * and the API key must never travel in a URL). A ticket is a signed claim ({@link GatewayClaims}), so any replica
 * accepts it; each replica accepts it once.
 */
final class SocketTickets {
  /** The most tickets one replica remembers as used; more used at once are refused until some expire. */
  static final int MAX_OUTSTANDING = 10_000;

  private final GatewayClaims claims;
  private final Clock clock;
  private final Duration ttl;
  /** Ticket ids used on this replica, until they expire. */
  private final Map<String, Instant> used = new ConcurrentHashMap<>();

  SocketTickets(GatewayClaims claims, Clock clock, Duration ttl) {
    this.claims = claims;
    this.clock = clock;
    this.ttl = ttl;
  }

  /** A fresh ticket for the broadcast's socket, and when it expires. */
  Issued issue(BroadcastKey broadcast) {
    Instant expiresAt = clock.instant().plus(ttl);
    return new Issued(claims.ticket(broadcast, expiresAt), expiresAt);
  }

  record Issued(String ticket, Instant expiresAt) {
  }

  /** The broadcast the ticket was issued for, if it is valid and not used on this replica before. */
  Optional<BroadcastKey> redeem(String ticket) {
    Optional<GatewayClaims.Ticket> valid = claims.ticket(ticket);
    if (valid.isEmpty()) {
      return Optional.empty();
    }
    purgeExpired();
    if (used.size() >= MAX_OUTSTANDING) {
      throw new ApiError(429, "too_many_tickets", "too many socket tickets used at once; try again shortly",
          Map.of("Retry-After", String.valueOf(Math.max(1, ttl.toSeconds()))));
    }
    if (used.putIfAbsent(valid.get().id(), valid.get().expiresAt()) != null) {
      return Optional.empty();
    }
    return Optional.of(valid.get().broadcast());
  }

  void purgeExpired() {
    Instant now = clock.instant();
    for (Iterator<Instant> it = used.values().iterator(); it.hasNext(); ) {
      if (!it.next().isAfter(now)) {
        it.remove();
      }
    }
  }
}
