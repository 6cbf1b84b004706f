package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events on a broadcast for every action the operator takes. A repeat of the same event within
 * {@link #AGGREGATE_WITHIN} bumps the count of the first one instead of creating another, as kubectl's recorder does,
 * so a failure retried with backoff does not flood the namespace. Events are best effort: failing to write one is
 * logged and never fails a reconcile.
 */
public class EventRecorder {
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

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Recorded> recent = new LinkedHashMap<>();

  private record Recorded(String namespace, String name, int count, Instant first) {
  }

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void normal(LiveBroadcast broadcast, String reason, String message) {
    record(broadcast, "Normal", reason, message);
  }

  public void warning(LiveBroadcast broadcast, String reason, String message) {
    record(broadcast, "Warning", reason, message);
  }

  private void record(LiveBroadcast broadcast, String type, String reason, String message) {
    var meta = broadcast.getMetadata();
    String text = message.length() > MESSAGE_LIMIT ? message.substring(0, MESSAGE_LIMIT - 3) + "..." : message;
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    String key = meta.getUid() + "|" + type + "|" + reason + "|" + text;
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
        client.v1().events().inNamespace(earlier.namespace()).withName(earlier.name())
            .patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}");
        remember(key, new Recorded(earlier.namespace(), earlier.name(), count, earlier.first()));
        return;
      }
      String name = meta.getName() + "." + Long.toHexString(System.nanoTime()) + Long.toHexString(now.toEpochMilli());
      Event event = new EventBuilder()
          .withNewMetadata().withName(name).withNamespace(meta.getNamespace()).endMetadata()
          .withNewInvolvedObject().withApiVersion(broadcast.getApiVersion()).withKind(broadcast.getKind())
          .withName(meta.getName()).withNamespace(meta.getNamespace()).withUid(meta.getUid()).endInvolvedObject()
          .withType(type).withReason(reason).withMessage(text)
          .withNewSource().withComponent(COMPONENT).endSource()
          .withReportingComponent(COMPONENT)
          .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
          .build();
      client.v1().events().inNamespace(meta.getNamespace()).resource(event).create();
      remember(key, new Recorded(meta.getNamespace(), name, 1, now));
    } catch (KubernetesClientException e) {
      LOG.warn("could not record event {} on {}/{}: {}", reason, meta.getNamespace(), meta.getName(), e.getMessage());
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
}
