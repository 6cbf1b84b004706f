package dev.stagefleet.operator;

import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One shared view of every StageFleet stage in a region. It is refreshed by paging ListStages at most once per
 * refresh interval, however many broadcasts ask, and kept current between sweeps by the operator's own creates and
 * deletes. Reconciles read it; nothing lists stages per broadcast.
 *
 * <p>ListStages may lag behind a create or delete, so our own changes stay pinned over every sweep for
 * {@link #PIN} after they happened: a stage we just created is never forgotten (and duplicated), and a stage we
 * just deleted never reappears (and is adopted).
 */
public final class StageInventory {
  static final Duration PIN = Duration.ofSeconds(60);
  /**
   * How long IVS may still carry out a CreateStage that went unanswered (a timeout, a reset connection): twice the
   * client's 30 s attempt timeout. Until a sweep that started this long after the failure, a stage it made may yet
   * appear.
   */
  static final Duration UNANSWERED_CREATE_SETTLES = Duration.ofSeconds(60);

  private final String region;
  private final IvsService ivs;
  private final Clock clock;
  private final Duration refreshInterval;
  private final ReentrantLock sweep = new ReentrantLock();

  // guarded by this
  private final Map<String, IvsService.Stage> stages = new LinkedHashMap<>();
  private final Deque<Change> recentChanges = new ArrayDeque<>();
  private final Set<String> released = new HashSet<>();
  private Instant lastSweepStart;
  private Instant lastSuccessfulSweepStart;
  private IvsException lastSweepFailure;
  private final List<UncertainCreate> uncertainCreates = new java.util.ArrayList<>();
  private long deletions;

  /**
   * A CreateStage of broadcast {@code ownerUid} whose outcome is unknown. It is resolved by the first sweep that lists
   * a stage of that name with the owner's tags (the stage exists, and is adopted), or by the first sweep that started
   * after {@code settledBy} without it (it was never made).
   */
  private record UncertainCreate(String ownerUid, String name, Instant settledBy) {
    boolean madeBy(IvsService.Stage stage) {
      return name.equals(stage.name())
          && StageTags.owner(stage).filter(o -> o.uid().equals(ownerUid)).isPresent();
    }
  }

  /** One of our own creates or deletes; {@code stage} is null for a delete. */
  private record Change(Instant at, String arn, IvsService.Stage stage) {
  }

  /** The managed stages of the region at one moment. */
  public record Snapshot(Map<String, IvsService.Stage> stages, Instant sweptAt) {
    /** The stages owned by the broadcast with this uid in this cluster. */
    public List<IvsService.Stage> ownedBy(String clusterId, String uid) {
      return stages.values().stream().filter(s -> StageTags.isOwnedBy(s, clusterId, uid)).toList();
    }

    /** The stages managed by this cluster. */
    public List<IvsService.Stage> ofCluster(String clusterId) {
      return stages.values().stream()
          .filter(s -> StageTags.owner(s).filter(o -> o.cluster().equals(clusterId)).isPresent()).toList();
    }
  }

  public StageInventory(String region, IvsService ivs, Clock clock, Duration refreshInterval) {
    this.region = region;
    this.ivs = ivs;
    this.clock = clock;
    this.refreshInterval = refreshInterval;
  }

  public String region() {
    return region;
  }

  /**
   * The current view, sweeping ListStages first when the last sweep is older than the refresh interval.
   *
   * @throws IvsException the last sweep failed (it is retried after the refresh interval, not on every call)
   */
  public Snapshot view() {
    sweep.lock();
    try {
      Instant start = clock.instant();
      boolean due;
      synchronized (this) {
        due = lastSweepStart == null || !start.isBefore(lastSweepStart.plus(refreshInterval));
        if (due) {
          lastSweepStart = start;
        }
      }
      if (due) {
        try {
          List<IvsService.Stage> listed = ivs.listStages();
          applySweep(listed, start);
        } catch (IvsException e) {
          synchronized (this) {
            lastSweepFailure = e;
          }
        }
      }
      synchronized (this) {
        if (lastSweepFailure != null) {
          throw lastSweepFailure;
        }
        return new Snapshot(Map.copyOf(stages), lastSuccessfulSweepStart);
      }
    } finally {
      sweep.unlock();
    }
  }

  private synchronized void applySweep(Collection<IvsService.Stage> listed, Instant start) {
    Instant now = clock.instant();
    while (!recentChanges.isEmpty() && recentChanges.peekFirst().at().plus(PIN).isBefore(now)) {
      recentChanges.removeFirst();
    }
    stages.clear();
    for (IvsService.Stage stage : listed) {
      if (StageTags.isManaged(stage) && !released.contains(stage.arn())) {
        stages.put(stage.arn(), stage);
      }
    }
    for (Change change : recentChanges) {
      if (change.stage() == null) {
        stages.remove(change.arn());
      } else {
        stages.putIfAbsent(change.arn(), change.stage());
      }
    }
    stages.keySet().removeAll(released);
    lastSweepFailure = null;
    lastSuccessfulSweepStart = start;
    uncertainCreates.removeIf(create -> start.isAfter(create.settledBy())
        || listed.stream().anyMatch(create::madeBy));
  }

  /** Records a stage we just created. */
  public synchronized void recordCreated(IvsService.Stage stage) {
    stages.put(stage.arn(), stage);
    recentChanges.addLast(new Change(clock.instant(), stage.arn(), stage));
  }

  /** Records a stage we just deleted (or that IVS no longer knows), and a stage we no longer manage (retained). */
  public synchronized void recordDeleted(String arn) {
    stages.remove(arn);
    recentChanges.addLast(new Change(clock.instant(), arn, null));
    deletions++;
  }

  /**
   * Records a stage we no longer manage (kept by the retain policy): it is left out of every view from now on, even
   * while IVS still lists it with our tags.
   */
  public synchronized void release(String arn) {
    stages.remove(arn);
    released.add(arn);
  }

  /**
   * Notes a CreateStage of the broadcast with this uid that failed in a way that may still have made the stage (a
   * 5xx, or no answer at all). Further creates for that broadcast wait until a sweep shows whether it exists: at once
   * when IVS answered, since the request is over; only after {@link #UNANSWERED_CREATE_SETTLES} otherwise, unless
   * the stage shows up sooner.
   */
  public synchronized void markUncertain(String ownerUid, String stageName, boolean unanswered) {
    Instant now = clock.instant();
    uncertainCreates.add(new UncertainCreate(ownerUid, stageName,
        unanswered ? now.plus(UNANSWERED_CREATE_SETTLES) : now));
  }

  /** False while a sweep must first show whether an earlier uncertain create of this broadcast left a stage. */
  public synchronized boolean createsAllowed(String ownerUid) {
    return uncertainCreates.stream().noneMatch(c -> c.ownerUid().equals(ownerUid));
  }

  /** True when this process created the stage within the last {@link #PIN}. */
  public synchronized boolean createdRecently(String arn) {
    return recentChanges.stream().anyMatch(c -> c.arn().equals(arn) && c.stage() != null);
  }

  /** True when this process deleted (or released) the stage within the last {@link #PIN}. */
  public synchronized boolean deletedRecently(String arn) {
    return released.contains(arn) || recentChanges.stream().anyMatch(c -> c.arn().equals(arn) && c.stage() == null);
  }

  /** How many stages we deleted in this region so far; a change means quota may have been freed. */
  public synchronized long deletions() {
    return deletions;
  }

  /** The refresh interval: the soonest a new sweep can show anything new. */
  public Duration refreshInterval() {
    return refreshInterval;
  }
}
