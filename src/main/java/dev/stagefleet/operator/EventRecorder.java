package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events on a broadcast for every action the operator takes. A repeat of the same event within
 * {@link #AGGREGATE_WITHIN} bumps the count of the first one instead of creating another, as kubectl's recorder does,
 * so a failure retried with backoff does not flood the namespace. Events are best effort: failing to write one is
 * logged and never fails a reconcile.
 *
 * <p>Events are written by one thread of their own, in the order they were recorded, so a reconcile never waits for
 * them: each is an API write, and a scale-up used to wait for two of them before writing the status the gateways
 * hand the new stage out from. Within a reconcile pass ({@link #pass}) they are held until the pass ends, after its
 * status write, so that write does not queue behind them at the API server either.
 */
public class EventRecorder implements AutoCloseable {
  public static final String STAGE_CREATED = "StageCreated";
  public static final String SCALED_UP = "ScaledUp";
  public static final String DRAINING = "Draining";
  public static final String STAGE_DELETED = "StageDeleted";
  public static final String ADOPTED = "Adopted";
  public static final String STAGE_VANISHED = "StageVanished";
  public static final String STAGES_RETAINED = "StagesRetained";
  public static final String QUOTA_EXCEEDED = "QuotaExceeded";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String UNREADABLE_STATUS = "UnreadableStatus";
  public static final String IVS_UNAVAILABLE = "IvsUnavailable";
  public static final String SATURATED = "Saturated";
  public static final String REPLICATION_STARTED = "ReplicationStarted";
  public static final String REPLICATION_STOPPED = "ReplicationStopped";
  public static final String REPLICATION_FAILED = "ReplicationFailed";

  static final Duration AGGREGATE_WITHIN = Duration.ofMinutes(10);
  static final String COMPONENT = "stagefleet-operator";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MESSAGE_LIMIT = 1024;
  private static final int REMEMBERED = 1000;
  /** Events waiting to be written; beyond this many (the API server is down or slow) new ones are dropped. */
  static final int QUEUED = 10_000;
  private static final Duration CLOSE_WITHIN = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Recorded> recent = new LinkedHashMap<>();
  private final Executor writer;
  /** The Events recorded by this thread's open pass, sent when it closes; null outside a pass. */
  private final ThreadLocal<List<Runnable>> held = new ThreadLocal<>();

  /** A reconcile pass whose Events are sent when it closes. */
  public interface Pass extends AutoCloseable {
    @Override
    void close();
  }

  private record Recorded(String namespace, String name, int count, Instant first) {
  }

  /** Writes Events on a thread of its own; {@link #close} stops it. */
  public EventRecorder(KubernetesClient client, Clock clock) {
    this(client, clock, writerThread());
  }

  /** Writes Events through {@code writer}, which must run them one at a time in order (tests pass a direct one). */
  EventRecorder(KubernetesClient client, Clock clock, Executor writer) {
    this.client = client;
    this.clock = clock;
    this.writer = writer;
  }

  private static ExecutorService writerThread() {
    return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUED), r -> {
      Thread t = new Thread(r, "stagefleet-operator-events");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Holds the Events this thread records until the returned pass closes, in the order recorded; a pass opened inside
   * another one changes nothing.
   */
  public Pass pass() {
    if (held.get() != null) {
      return () -> { };
    }
    List<Runnable> events = new ArrayList<>();
    held.set(events);
    return () -> {
      held.remove();
      events.forEach(this::send);
    };
  }

  public void normal(LiveBroadcast broadcast, String reason, String message) {
    record(broadcast, "Normal", reason, message);
  }

  public void warning(LiveBroadcast broadcast, String reason, String message) {
    record(broadcast, "Warning", reason, message);
  }

  private void record(LiveBroadcast broadcast, String type, String reason, String message) {
    // read now: the writer runs later, and the broadcast object may change meanwhile
    var meta = broadcast.getMetadata();
    var involved = new ObjectReferenceBuilder().withApiVersion(broadcast.getApiVersion())
        .withKind(broadcast.getKind()).withName(meta.getName()).withNamespace(meta.getNamespace())
        .withUid(meta.getUid()).build();
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Runnable event = new Runnable() {
      @Override
      public void run() {
        write(involved, type, reason, message, now);
      }

      @Override
      public String toString() {
        return reason + " on " + involved.getNamespace() + "/" + involved.getName();
      }
    };
    List<Runnable> pass = held.get();
    if (pass != null) {
      pass.add(event);
    } else {
      send(event);
    }
  }

  private void send(Runnable event) {
    try {
      writer.execute(event);
    } catch (RejectedExecutionException e) {
      LOG.warn("dropped event {}: {} events are already waiting to be written (or the operator is stopping)", event,
          QUEUED);
    }
  }

  private void write(ObjectReference involved, String type, String reason, String message, Instant now) {
    String text = message.length() > MESSAGE_LIMIT ? message.substring(0, MESSAGE_LIMIT - 3) + "..." : message;
    String key = involved.getUid() + "|" + type + "|" + reason + "|" + text;
    Recorded earlier;
    synchronized (recent) {
      earlier = recent.get(key);
      if (earlier != null && earlier.first().plus(AGGREGATE_WITHIN).isBefore(now)) {
        earlier = null;
      }
    }
    try {
      if (earlier != null) {
        int count = earlier.count() + 1;
        // with an object to patch, fabric8 does not read the Event first
        client.v1().events().resource(new EventBuilder().withNewMetadata().withNamespace(earlier.namespace())
                .withName(earlier.name()).endMetadata().build())
            .patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}");
        remember(key, new Recorded(earlier.namespace(), earlier.name(), count, earlier.first()));
        return;
      }
      String name = involved.getName() + "." + Long.toHexString(System.nanoTime()) + Long.toHexString(now.toEpochMilli());
      Event event = new EventBuilder()
          .withNewMetadata().withName(name).withNamespace(involved.getNamespace()).endMetadata()
          .withInvolvedObject(involved)
          .withType(type).withReason(reason).withMessage(text)
          .withNewSource().withComponent(COMPONENT).endSource()
          .withReportingComponent(COMPONENT)
          .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
          .build();
      client.v1().events().inNamespace(involved.getNamespace()).resource(event).create();
      remember(key, new Recorded(involved.getNamespace(), name, 1, now));
    } catch (KubernetesClientException e) {
      LOG.warn("could not record event {} on {}/{}: {}", reason, involved.getNamespace(), involved.getName(), e.getMessage());
    }
  }

  private void remember(String key, Recorded recorded) {
    synchronized (recent) {
      recent.put(key, recorded);
      if (recent.size() > REMEMBERED) {
        Iterator<String> oldest = recent.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
    }
  }

  /** Writes the Events still queued (for a few seconds at most, so a stop is never held up) and stops the writer. */
  @Override
  public void close() {
    if (writer instanceof ExecutorService service) {
      service.shutdown();
      try {
        if (!service.awaitTermination(CLOSE_WITHIN.toMillis(), TimeUnit.MILLISECONDS)) {
          service.shutdownNow();
        }
      } catch (InterruptedException e) {
        service.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
