package dev.stagefleet.local;

import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The CRUD store's changes in resourceVersion order, the newest few kept, so a watch can start after a given version as
 * kube-apiserver's watch cache lets it; a version older than what is kept has expired.
 */
final class ChangeJournal {
  /** One change: the object before (null when created) and after (null when deleted), with the store's keys. */
  record Change(long resourceVersion, AttributeSet oldKey, String oldObject, AttributeSet newKey, String newObject) {
  }

  /** Receives changes; called under the journal's lock, so it only queues output and never blocks. */
  interface Subscriber {
    void change(Change change);

    /** No change matched for a while (or the watch ends): the stream has seen everything up to this version. */
    void progress(long resourceVersion);
  }

  /** A start version older than the journal keeps: the client must list again (HTTP 410, reason Expired). */
  static final class Expired extends Exception {
    Expired(long requested, long oldest) {
      super("too old resource version: " + requested + " (" + oldest + ")");
    }
  }

  private final int retained;
  private final Deque<Change> changes = new ArrayDeque<>();
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  /** The version of the newest change dropped; a watch may start at it or later. */
  private long compactedThrough;
  private long latest;

  ChangeJournal(int retained) {
    if (retained < 1) {
      throw new IllegalArgumentException("the journal must keep at least one change");
    }
    this.retained = retained;
  }

  synchronized void record(Change change) {
    changes.addLast(change);
    latest = Math.max(latest, change.resourceVersion());
    if (changes.size() > retained) {
      compactedThrough = changes.removeFirst().resourceVersion();
    }
    subscribers.forEach(s -> s.change(change));
  }

  /**
   * Replays the kept changes after {@code afterVersion} to the subscriber, then passes it every new one, until the
   * returned handle is closed.
   */
  synchronized Runnable subscribe(long afterVersion, Subscriber subscriber) throws Expired {
    if (afterVersion < compactedThrough) {
      throw new Expired(afterVersion, compactedThrough);
    }
    for (Change change : changes) {
      if (change.resourceVersion() > afterVersion) {
        subscriber.change(change);
      }
    }
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  /** Tells the subscriber how far the journal has come (for a BOOKMARK event), in order with the changes it was sent. */
  synchronized void reportProgress(Subscriber subscriber, long atLeast) {
    subscriber.progress(Math.max(latest, atLeast));
  }
}
