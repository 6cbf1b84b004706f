package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * One viewer this replica handed a token to: its stage, its presence socket, and whether it is being moved. Guarded
 * by its broadcast's {@link AudienceBook}: every method must be called holding the book's monitor.
 */
final class Viewer {
  private final String id;
  private final BroadcastKey broadcast;
  private final String userId;
  private StageStatus stage;
  /** When the token was issued or the presence socket dropped: the viewer counts until the window passes. */
  private Instant since;
  private boolean present;
  private boolean moving;
  private SocketOutbox socket;
  /** The replica that placed the viewer, when another one did (this replica took it over); else null. */
  private String adoptedFrom;
  /** The stage the placing replica counts it on, and when this replica took it over. */
  private String adoptedOn;
  private Instant adoptedAt;
  /** Whether the viewer is in its book (not yet forgotten); kept by the book. */
  boolean listed;
  /** The stage id the viewer is counted on in its book's counts, or null when it does not count; kept by the book. */
  String countedOn;

  Viewer(String id, BroadcastKey broadcast, String userId, StageStatus stage, Instant issuedAt) {
    this.id = id;
    this.broadcast = broadcast;
    this.userId = userId;
    this.stage = stage;
    this.since = issuedAt;
  }

  String id() {
    return id;
  }

  BroadcastKey broadcast() {
    return broadcast;
  }

  String userId() {
    return userId;
  }

  StageStatus stage() {
    return stage;
  }

  Instant since() {
    return since;
  }

  boolean present() {
    return present;
  }

  boolean moving() {
    return moving;
  }

  SocketOutbox socket() {
    return socket;
  }

  /** This replica took the viewer over from {@code replica}, which counts it on {@code stageId}. */
  void adoptedFrom(String replica, String stageId, Instant at) {
    adoptedFrom = replica;
    adoptedOn = stageId;
    adoptedAt = at;
  }

  /** {@code <replica>/<stageId>} of the replica that may still count it, while within {@code window} of the takeover. */
  String adoptedKey(Instant now, Duration window) {
    return adoptedFrom != null && adoptedAt.plus(window).isAfter(now) ? adoptedFrom + "/" + adoptedOn : null;
  }

  /** Its presence socket opened; returns the socket it replaces, if any. */
  SocketOutbox connected(SocketOutbox newSocket) {
    SocketOutbox replaced = socket;
    socket = newSocket;
    present = true;
    return replaced;
  }

  /** Its presence socket {@code closed} at {@code now}; false when that socket was already replaced. */
  boolean dropped(SocketOutbox closed, Instant now) {
    if (socket != closed) {
      return false;
    }
    socket = null;
    present = false;
    since = now;
    return true;
  }

  /** It is told to move to {@code to}; it stays marked as moving until {@link #settled}. */
  void movingTo(StageStatus to) {
    stage = to;
    moving = true;
  }

  /** A move ended: on {@code to} if the viewer was told, else back on the stage it came from. */
  void settled(StageStatus on) {
    stage = on;
    moving = false;
  }

  /** Whether the viewer counts at {@code now}: present, or issued a token / dropped within {@code window}. */
  boolean counts(Instant now, Duration window) {
    return present || since.plus(window).isAfter(now);
  }
}
