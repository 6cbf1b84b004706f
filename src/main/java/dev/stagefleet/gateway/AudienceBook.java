package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The viewers of one broadcast on this replica and the number of counting viewers per stage; its monitor is the
 * placement lock. Keeps the counts up to date as viewers change, so placement never walks the whole book: a viewer
 * that is not present stops counting when its pending window passes, which {@link #expire} catches up on lazily from
 * a queue ordered by that time. Every method must be called holding the book's monitor.
 */
final class AudienceBook {
  private final Map<String, Viewer> viewers = new LinkedHashMap<>();
  /**
   * The listed viewers whose presence socket is open, in the order they connected: what heartbeats and moves walk,
   * so they do not walk the viewers that only hold a token (most of the book while joins pour in).
   */
  private final Map<String, Viewer> present = new LinkedHashMap<>();
  /** Viewers taken over from another replica, until that replica's count of them lapses or they are forgotten. */
  private final List<Viewer> adoptedViewers = new ArrayList<>();
  private final Duration pendingWindow;
  /** Counting viewers per stage id (entries are removed when they reach zero). */
  private final Map<String, Integer> counting = new HashMap<>();
  /** When a not-present viewer may stop counting; entries are checked again when due (the viewer may have changed). */
  private final ExpiryQueue<Viewer> expiries = new ExpiryQueue<>();
  /** Viewers that stopped counting since the last {@link #forgetExpired}. */
  private final List<Viewer> expired = new ArrayList<>();
  private boolean ended;
  /** Seats per stage id this replica may fill, as last written to the resource; see {@link SeatShares}. */
  private Map<String, Integer> seats = Map.of();
  /** When the seats lapse unless renewed: before the other replicas stop counting the report that holds them. */
  private Instant seatsUntil = Instant.MIN;
  /** When a join or a move last found room only in other replicas' seats. */
  private Instant seatsLacked = Instant.MIN;
  /** Placement's index of the broadcast, fed every change of {@link #counting}; null until placement builds one. */
  private Seating.Indexed indexed;
  /**
   * Stage ids whose count changed while {@link #expire} drains its queue, or null outside it: the index hears of each
   * once at the end (the joins of a whole burst can fall due together, 30 s after it).
   */
  private Set<String> expiring;

  AudienceBook(Duration pendingWindow) {
    this.pendingWindow = pendingWindow;
  }

  /** A viewer was just issued a token: it counts for the pending window. */
  void add(Viewer viewer, Instant now) {
    viewers.put(viewer.id(), viewer);
    viewer.listed = true;
    if (viewer.adoptedKey(now, pendingWindow) != null) {
      adoptedViewers.add(viewer);
    }
    pending(viewer, now);
    if (viewer.countedOn == null) {
      expired.add(viewer); // a pending window of zero: it never counted
    }
  }

  /** Takes back a viewer whose token could not be issued. */
  void remove(Viewer viewer, Instant now) {
    if (viewers.remove(viewer.id(), viewer)) {
      viewer.listed = false;
      present.remove(viewer.id(), viewer);
      recount(viewer, now);
    }
  }

  /** The viewer's presence socket opened: it counts as present. Returns the socket it replaces, if any. */
  SocketOutbox connected(Viewer viewer, SocketOutbox socket, Instant now) {
    SocketOutbox replaced = viewer.connected(socket);
    if (viewer.listed) {
      present.put(viewer.id(), viewer);
    }
    recount(viewer, now);
    return replaced;
  }

  /** The viewer's presence socket closed: it still counts for the pending window, in case it comes back. */
  void disconnected(Viewer viewer, SocketOutbox socket, Instant now) {
    if (viewer.dropped(socket, now)) {
      present.remove(viewer.id(), viewer);
      pending(viewer, now);
    }
  }

  /** The viewer is told to move to {@code to}: its count moves with it at once, so no one else takes the seat. */
  void startMove(Viewer viewer, StageStatus to, Instant now) {
    viewer.movingTo(to);
    recount(viewer, now);
  }

  /** The viewer's move ended on {@code on} (the new stage, or the old one when the move failed). */
  void endMove(Viewer viewer, StageStatus on, Instant now) {
    viewer.settled(on);
    recount(viewer, now);
  }

  /** Counting viewers per stage id at {@code now} (a live view; copy it to keep it). */
  Map<String, Integer> counting(Instant now) {
    expire(now);
    return counting;
  }

  /** Forgets the viewers that stopped counting (they can no longer open a presence socket) and returns them. */
  List<Viewer> forgetExpired(Instant now) {
    expire(now);
    List<Viewer> forgotten = new ArrayList<>();
    for (Viewer viewer : expired) {
      if (viewer.listed && viewer.countedOn == null) {
        viewers.remove(viewer.id());
        viewer.listed = false;
        forgotten.add(viewer);
      }
    }
    expired.clear();
    return forgotten;
  }

  /** The seats this replica holds (as written to the resource), until {@code until}. */
  void seats(Map<String, Integer> granted, Instant until) {
    seats = Map.copyOf(granted);
    seatsUntil = until;
  }

  /** A join or a move found room only in other replicas' seats. */
  void seatsLacked(Instant now) {
    seatsLacked = now;
  }

  /** Whether this replica lacked seats within {@code recently} before {@code now}. */
  boolean lacksSeats(Instant now, Duration recently) {
    return seatsLacked.plus(recently).isAfter(now);
  }

  /** The seats held now (empty once they lapsed). */
  Map<String, Integer> seats(Instant now) {
    return now.isBefore(seatsUntil) ? seats : Map.of();
  }

  /** Lowers the seats held to at most {@code limit} per stage (before a report that gives seats back is written). */
  void limitSeats(Map<String, Integer> limit) {
    Map<String, Integer> lower = new HashMap<>();
    seats.forEach((id, n) -> {
      int kept = Math.min(n, limit.getOrDefault(id, 0));
      if (kept > 0) {
        lower.put(id, kept);
      }
    });
    seats = Map.copyOf(lower);
  }

  /** Counting viewers per {@code <replica>/<stageId>} taken over from that replica within the pending window. */
  Map<String, Integer> adopted(Instant now) {
    expire(now);
    Map<String, Integer> adopted = new java.util.TreeMap<>();
    for (Iterator<Viewer> it = adoptedViewers.iterator(); it.hasNext(); ) {
      Viewer viewer = it.next();
      String from = viewer.adoptedKey(now, pendingWindow);
      if (!viewer.listed || from == null) {
        it.remove(); // forgotten, or its first replica's count of it lapsed: neither comes back
      } else if (viewer.countedOn != null) {
        adopted.merge(from, 1, Integer::sum);
      }
    }
    return adopted;
  }

  /** The viewers not yet forgotten. */
  Collection<Viewer> viewers() {
    return viewers.values();
  }

  /** The viewers not yet forgotten whose presence socket is open, in the order they connected. */
  Collection<Viewer> present() {
    return present.values();
  }

  boolean ended() {
    return ended;
  }

  /** The placement index {@link Seating} last built for this book, or null. */
  Seating.Indexed indexed() {
    return indexed;
  }

  /** Keeps {@code index} up to date with this book's counts from now on (it was built from {@link #counting}). */
  void indexed(Seating.Indexed index) {
    this.indexed = index;
  }

  /** The broadcast ended: forgets every viewer and returns them; later joins find the book ended. */
  List<Viewer> end() {
    ended = true;
    List<Viewer> all = new ArrayList<>(viewers.values());
    all.forEach(v -> {
      v.listed = false;
      v.countedOn = null;
    });
    viewers.clear();
    present.clear();
    adoptedViewers.clear();
    counting.clear();
    indexed = null;
    expiries.clear();
    expired.clear();
    return all;
  }

  /** The viewer counts from {@code viewer.since()} until the window passes. */
  private void pending(Viewer viewer, Instant now) {
    expiries.add(viewer.since().plus(pendingWindow), viewer);
    recount(viewer, now);
  }

  /** Brings the viewer's contribution to the counts in line with its state (call after every change to it). */
  private void recount(Viewer viewer, Instant now) {
    String on = viewer.listed && viewer.counts(now, pendingWindow) ? viewer.stage().getId() : null;
    if (Objects.equals(on, viewer.countedOn)) {
      return;
    }
    if (viewer.countedOn != null) {
      Integer left = counting.computeIfPresent(viewer.countedOn, (id, n) -> n == 1 ? null : n - 1);
      indexCount(viewer.countedOn, left == null ? 0 : left);
    }
    if (on != null) {
      indexCount(on, counting.merge(on, 1, Integer::sum));
    } else if (viewer.listed) {
      expired.add(viewer);
    }
    viewer.countedOn = on;
  }

  private void indexCount(String stageId, int viewers) {
    if (indexed == null) {
      return;
    }
    if (expiring != null) {
      expiring.add(stageId);
    } else {
      indexed.index().count(stageId, viewers);
    }
  }

  /** Stops counting the viewers whose pending window has passed by {@code now}. */
  private void expire(Instant now) {
    if (!expiries.anyDue(now)) {
      return;
    }
    expiring = new HashSet<>();
    try {
      expiries.drainDue(now, viewer -> recount(viewer, now));
    } finally {
      Set<String> changed = expiring;
      expiring = null;
      changed.forEach(id -> indexCount(id, counting.getOrDefault(id, 0)));
    }
  }
}
