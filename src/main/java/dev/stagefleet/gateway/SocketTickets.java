package dev.stagefleet.gateway;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-time, short-lived tickets that let a browser open the broadcaster socket (browsers cannot set headers on a
 * WebSocket, and the API key must never travel in a URL).
 */
final class SocketTickets {
  static final int MAX_OUTSTANDING = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Ticket(BroadcastKey broadcast, Instant expiresAt) {
  }

  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();

  SocketTickets(Clock clock, Duration ttl) {
    this.clock = clock;
    this.ttl = ttl;
  }

  /** A fresh ticket for the broadcast's socket. */
  String issue(BroadcastKey broadcast) {
    purgeExpired();
    if (tickets.size() >= MAX_OUTSTANDING) {
      throw new ApiError(429, "too_many_tickets", "too many unused socket tickets; try again shortly",
          Map.of("Retry-After", String.valueOf(Math.max(1, ttl.toSeconds()))));
    }
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    tickets.put(ticket, new Ticket(broadcast, clock.instant().plus(ttl)));
    return ticket;
  }

  Instant expiresAt(String ticket) {
    Ticket t = tickets.get(ticket);
    return t == null ? null : t.expiresAt();
  }

  /** The broadcast the ticket was issued for, if it is valid; a ticket works once. */
  Optional<BroadcastKey> redeem(String ticket) {
    if (ticket == null) {
      return Optional.empty();
    }
    Ticket t = tickets.remove(ticket);
    if (t == null || clock.instant().isAfter(t.expiresAt())) {
      return Optional.empty();
    }
    return Optional.of(t.broadcast());
  }

  void purgeExpired() {
    Instant now = clock.instant();
    for (Iterator<Ticket> it = tickets.values().iterator(); it.hasNext(); ) {
      if (now.isAfter(it.next().expiresAt())) {
        it.remove();
      }
    }
  }
}
