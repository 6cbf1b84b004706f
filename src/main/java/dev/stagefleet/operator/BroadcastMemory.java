package dev.stagefleet.operator;

import dev.stagefleet.scaling.ScaleDownWindow;
import java.time.Duration;
import java.time.Instant;

/**
 * What the operator remembers about one broadcast between reconciles, in memory only. Losing it (a restart, a new
 * leader) is safe by construction: a lost scale-down window starts again, which only delays a scale-down and never
 * removes a stage early; a lost quota pause costs one CreateStage call that fails and starts the pause again; a lost
 * failure count restarts the retry backoff at its first step. JOSDK never runs two reconciles of one resource at
 * once, so the fields need no locking beyond visibility.
 */
final class BroadcastMemory {
  volatile ScaleDownWindow scaleDownWindow;
  volatile int ivsFailures;
  volatile QuotaPause quotaPause;
  /** Why the stored object could not be read, as last logged; logged again only when it changes. */
  volatile String unreadable;

  /**
   * Stage creation is paused after IVS said the stage quota is used up, until {@code until}, or sooner when something
   * changed that may free quota or lower the demand: the spec changed or a stage was deleted in the region.
   */
  record QuotaPause(Instant until, long generation, long deletionsSeen, int attempts, String message) {
    boolean blocks(Instant now, long currentGeneration, long currentDeletions) {
      return now.isBefore(until) && currentGeneration == generation && currentDeletions == deletionsSeen;
    }

    static QuotaPause after(QuotaPause previous, Instant now, Duration first, long generation, long deletions,
        String message) {
      int attempts = previous == null ? 1 : Math.min(previous.attempts() + 1, 5);
      Duration pause = first.multipliedBy(1L << (attempts - 1));
      return new QuotaPause(now.plus(pause), generation, deletions, attempts, message);
    }
  }

  /** The delay before retrying after the {@code failures}-th failure in a row: doubling from first up to max. */
  static Duration backoff(int failures, Duration first, Duration max) {
    int shift = Math.min(Math.max(failures - 1, 0), 20);
    Duration d = first.multipliedBy(1L << shift);
    return d.compareTo(max) > 0 ? max : d;
  }
}
