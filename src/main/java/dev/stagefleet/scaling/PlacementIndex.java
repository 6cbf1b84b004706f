package dev.stagefleet.scaling;

import dev.stagefleet.scaling.ViewerPlacement.AllFull;
import dev.stagefleet.scaling.ViewerPlacement.Decision;
import dev.stagefleet.scaling.ViewerPlacement.NoActiveStage;
import dev.stagefleet.scaling.ViewerPlacement.NoSeatHere;
import dev.stagefleet.scaling.ViewerPlacement.Placed;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * {@link ViewerPlacement}'s rule for one replica, kept up to date as this replica's counts change: the stages with
 * room are held ordered by load, so a placement costs O(log stages) instead of a walk over every stage. Everything
 * but this replica's counts (other replicas' viewers, the operator's count, the seats held) is fixed at construction;
 * build a new index when it changes. Pure, and not thread-safe: the caller holds the placement lock.
 */
public final class PlacementIndex {
  /** Fullest first; among equally full, the oldest (earliest in status order), as {@link ViewerPlacement} picks. */
  private static final Comparator<Entry> FULLEST_FIRST = (a, b) -> {
    int byLoad = Integer.compare(b.load(), a.load());
    return byLoad != 0 ? byLoad : Integer.compare(a.position, b.position);
  };

  private final int capacity;
  private final int size;
  private final boolean anyActive;
  private final Map<String, List<Entry>> byId = new HashMap<>();
  /** Active stages below capacity. */
  private final TreeSet<Entry> room = new TreeSet<>(FULLEST_FIRST);
  /** Active stages below capacity where this replica has seats left. */
  private final TreeSet<Entry> roomAndSeats = new TreeSet<>(FULLEST_FIRST);

  /**
   * A stage as the index sees it, apart from this replica's count.
   *
   * @param others   viewers the other replicas' fresh reports count on it
   * @param observed the operator's count of its viewers (0 when unknown)
   * @param seats    seats this replica holds on it (0 when none)
   */
  public record Stage(String stageId, boolean active, int others, int observed, int seats) {
    public Stage {
      Objects.requireNonNull(stageId, "stageId");
    }
  }

  private static final class Entry {
    final int position;
    final Stage stage;
    int local;

    Entry(int position, Stage stage, int local) {
      this.position = position;
      this.stage = stage;
      this.local = local;
    }

    /** The stage's viewers as {@link ViewerPlacement} counts them: every replica's, or the operator's if more. */
    int load() {
      return Math.max(local + stage.others(), stage.observed());
    }

    boolean hasRoom(int capacity) {
      return stage.active() && load() < capacity;
    }

    boolean hasSeats() {
      return stage.seats() - local > 0;
    }
  }

  /**
   * @param stages   every stage of the broadcast in status order (oldest first)
   * @param capacity most viewers on one stage
   * @param local    this replica's counting viewers per stage id now (absent: none)
   */
  public PlacementIndex(List<Stage> stages, int capacity, Map<String, Integer> local) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, but is " + capacity);
    }
    this.capacity = capacity;
    this.size = stages.size();
    boolean active = false;
    for (int i = 0; i < stages.size(); i++) {
      Stage stage = stages.get(i);
      Entry entry = new Entry(i, stage, Math.max(0, local.getOrDefault(stage.stageId(), 0)));
      byId.computeIfAbsent(stage.stageId(), id -> new ArrayList<>(1)).add(entry);
      active |= stage.active();
      file(entry);
    }
    this.anyActive = active;
  }

  /** This replica now counts {@code viewers} on the stage (a stage the index does not know is ignored). */
  public void count(String stageId, int viewers) {
    List<Entry> entries = byId.get(stageId);
    if (entries == null) {
      return;
    }
    for (Entry entry : entries) {
      if (entry.local == viewers) {
        continue;
      }
      if (fillsFirstInPlace(entry, viewers)) {
        continue;
      }
      // remove before the load changes: the sets find entries by their load
      room.remove(entry);
      roomAndSeats.remove(entry);
      entry.local = Math.max(0, viewers);
      file(entry);
    }
  }

  /** Where the next viewer goes: what {@link ViewerPlacement#place(List, int, int, Map)} decides for these stages. */
  public Decision place(int maxStages) {
    if (room.isEmpty()) {
      return anyActive ? new AllFull(size >= maxStages) : new NoActiveStage();
    }
    Entry best = room.first();
    if (best.hasSeats()) {
      return new Placed(best.stage.stageId());
    }
    return roomAndSeats.isEmpty() ? new NoSeatHere() : new Placed(roomAndSeats.first().stage.stageId());
  }

  /**
   * Most joins land on the fullest stage with room, which stays first as it fills: when it keeps room and keeps (or
   * keeps lacking) seats, its count changes in place, since no neighbour's order changes (a fuller first is still
   * first in both sets), saving the four tree operations of a refile on every join.
   */
  private boolean fillsFirstInPlace(Entry entry, int viewers) {
    if (viewers <= entry.local || room.isEmpty() || room.first() != entry) {
      return false;
    }
    boolean hadSeats = entry.hasSeats();
    int before = entry.local;
    entry.local = viewers;
    if (entry.hasRoom(capacity) && entry.hasSeats() == hadSeats) {
      return true;
    }
    entry.local = before; // leaves room or runs out of seats: refiled the ordinary way
    return false;
  }

  private void file(Entry entry) {
    if (entry.hasRoom(capacity)) {
      room.add(entry);
      if (entry.hasSeats()) {
        roomAndSeats.add(entry);
      }
    }
  }
}
