package dev.stagefleet.api.v1alpha1;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The contract the gateways and the operator meet on, {@code status.audience}: each gateway replica writes its
 * viewers per stage id, how many viewers it holds waiting for a seat, and when it counted them; readers sum the
 * fresh reports. Each replica counts only the viewers it holds itself, and names the viewers and waiters it took over
 * from another replica that may still count them, so the sum counts each viewer and each waiter once.
 */
public final class AudienceReports {
  /** A report older than this counts for nothing: its replica stopped refreshing it (the gateways refresh far sooner). */
  public static final Duration STALE_AFTER = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();

  private AudienceReports() {
  }

  /** Viewers per stage id, summed over every replica whose report is fresh at {@code now}. */
  public static Map<String, Integer> freshViewers(LiveBroadcastStatus status, Instant now) {
    return freshViewers(status, now, null);
  }

  /**
   * Viewers per stage id, summed over the fresh reports of every replica but {@code exceptReplica} (null: none). A
   * viewer another replica took over (its {@code adopted} entry) while its first replica still counts it is counted
   * once: the adopted counts are taken off the fresh report of the replica they came from.
   */
  public static Map<String, Integer> freshViewers(LiveBroadcastStatus status, Instant now, String exceptReplica) {
    Map<String, Integer> sum = new HashMap<>();
    if (status == null) {
      return sum;
    }
    Map<String, AudienceReport> fresh = fresh(status, now);
    Map<String, Map<String, Integer>> adoptedFrom = new HashMap<>();
    fresh.forEach((replica, report) -> positive(report.getAdopted()).forEach((originAndStage, n) -> {
      int slash = originAndStage.lastIndexOf('/');
      String origin = slash > 0 ? originAndStage.substring(0, slash) : "";
      if (!origin.equals(replica) && fresh.containsKey(origin)) {
        adoptedFrom.computeIfAbsent(origin, o -> new HashMap<>()).merge(originAndStage.substring(slash + 1), n,
            Integer::sum);
      }
    }));
    fresh.forEach((replica, report) -> {
      if (replica.equals(exceptReplica)) {
        return;
      }
      Map<String, Integer> counted = adoptedFrom.getOrDefault(replica, Map.of());
      positive(report.getViewers()).forEach((stageId, n) -> {
        int once = n - Math.min(n, counted.getOrDefault(stageId, 0));
        if (once > 0) {
          sum.merge(stageId, once, Integer::sum);
        }
      });
    });
    return sum;
  }

  /**
   * Seats per stage id held by the fresh reports of every replica but {@code exceptReplica}: per replica the larger of
   * its seats and its viewers (a replica that took over viewers may hold more than its seats). What is left of a
   * stage's capacity is what {@code exceptReplica} may claim.
   */
  public static Map<String, Integer> heldSeats(LiveBroadcastStatus status, Instant now, String exceptReplica) {
    Map<String, Integer> held = new HashMap<>();
    if (status == null) {
      return held;
    }
    fresh(status, now).forEach((replica, report) -> {
      if (replica.equals(exceptReplica)) {
        return;
      }
      Map<String, Integer> mine = new HashMap<>(positive(report.getSeats()));
      positive(report.getViewers()).forEach((stageId, n) -> mine.merge(stageId, n, Math::max));
      mine.forEach((stageId, n) -> held.merge(stageId, n, Integer::sum));
    });
    return held;
  }

  /** The fresh reports at {@code now}, by replica. */
  public static Map<String, AudienceReport> fresh(LiveBroadcastStatus status, Instant now) {
    Map<String, AudienceReport> fresh = new HashMap<>();
    if (status != null) {
      status.audienceOrEmpty().forEach((replica, report) -> {
        if (replica != null && report != null && isFresh(report, now)) {
          fresh.put(replica, report);
        }
      });
    }
    return fresh;
  }

  private static Map<String, Integer> positive(Map<String, Integer> counts) {
    Map<String, Integer> out = new HashMap<>();
    if (counts != null) {
      counts.forEach((key, n) -> {
        if (key != null && n != null && n > 0) {
          out.put(key, n);
        }
      });
    }
    return out;
  }

  /**
   * Viewers held waiting for a seat, summed over every replica whose report is fresh at {@code now}, each counted once
   * (see {@link #freshWaitingByReplica}).
   */
  public static int freshWaiting(LiveBroadcastStatus status, Instant now) {
    return freshWaitingByReplica(status, now).values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * The viewers each replica with a fresh report at {@code now} holds waiting, counting each once: a waiter another
   * replica took over (its {@code waitingAdopted} entry) while the replica it came from still counts it is taken off
   * the fresh report of the replica it came from, never below 0. Replicas with none waiting are left out.
   */
  public static Map<String, Integer> freshWaitingByReplica(LiveBroadcastStatus status, Instant now) {
    Map<String, Integer> once = new HashMap<>();
    if (status == null) {
      return once;
    }
    Map<String, AudienceReport> fresh = fresh(status, now);
    Map<String, Integer> adoptedFrom = new HashMap<>();
    fresh.forEach((replica, report) -> positive(report.getWaitingAdopted()).forEach((origin, n) -> {
      if (!origin.equals(replica) && fresh.containsKey(origin)) {
        adoptedFrom.merge(origin, n, Integer::sum);
      }
    }));
    fresh.forEach((replica, report) -> {
      int n = report.getWaiting() == null ? 0 : Math.max(0, report.getWaiting());
      int counted = n - Math.min(n, adoptedFrom.getOrDefault(replica, 0));
      if (counted > 0) {
        once.put(replica, counted);
      }
    });
    return once;
  }

  /**
   * When the fresh reports were all counted: the oldest fresh report's time, since a replica that reported earlier
   * may hold viewers the others do not know of. Empty when no replica reports fresh.
   */
  public static Optional<Instant> countedAt(LiveBroadcastStatus status, Instant now) {
    if (status == null) {
      return Optional.empty();
    }
    return status.audienceOrEmpty().values().stream().filter(r -> isFresh(r, now))
        .map(r -> reportedAt(r).orElseThrow()).min(Instant::compareTo);
  }

  /** Whether a report was written no more than {@link #STALE_AFTER} before {@code now}; undated or unreadable: no. */
  public static boolean isFresh(AudienceReport report, Instant now) {
    return reportedAt(report).map(at -> !at.plus(STALE_AFTER).isBefore(now)).orElse(false);
  }

  /** When the report was written, if it says so readably (RFC 3339, any offset). */
  public static Optional<Instant> reportedAt(AudienceReport report) {
    if (report == null || report.getReportedAt() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(report.getReportedAt()).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * What one replica reports: viewers and seats per stage id, viewers waiting, viewers taken over (per
   * {@code <replica>/<stageId>}) and waiters taken over (per replica).
   */
  public record Report(Map<String, Integer> viewers, int waiting, Map<String, Integer> seats,
      Map<String, Integer> adopted, Map<String, Integer> waitingAdopted) {
    public Report {
      viewers = Map.copyOf(viewers);
      seats = Map.copyOf(seats);
      adopted = Map.copyOf(adopted);
      waitingAdopted = Map.copyOf(waitingAdopted);
    }

    /** A report that took no waiters over. */
    public Report(Map<String, Integer> viewers, int waiting, Map<String, Integer> seats,
        Map<String, Integer> adopted) {
      this(viewers, waiting, seats, adopted, Map.of());
    }

    public static final Report EMPTY = new Report(Map.of(), 0, Map.of(), Map.of());

    /** Whether it says nothing: no viewers, none waiting, no seats held, none taken over. */
    public boolean isEmpty() {
      return viewers.isEmpty() && waiting == 0 && seats.isEmpty() && adopted.isEmpty() && waitingAdopted.isEmpty();
    }
  }

  /**
   * The JSON merge patch (for the status subresource) that sets {@code replica}'s report to {@code viewers} and
   * {@code waiting} at {@code at}. A merge patch merges maps, so stages in {@code previousStages} but not in
   * {@code viewers} are removed explicitly.
   */
  public static String reportPatch(String replica, Map<String, Integer> viewers, int waiting,
      Collection<String> previousStages, Instant at) {
    Map<String, Integer> previous = new HashMap<>();
    previousStages.forEach(stageId -> previous.put(stageId, 0));
    return reportPatch(replica, new Report(viewers, waiting, Map.of(), Map.of()),
        new Report(previous, 0, Map.of(), Map.of()), at, null);
  }

  /**
   * The JSON merge patch that sets {@code replica}'s report to {@code report} at {@code at}; keys of
   * {@code previous} that {@code report} lacks are removed. With a {@code resourceVersion}, the API server applies it
   * only to that version of the resource (409 Conflict otherwise): how a replica grows its seats.
   */
  public static String reportPatch(String replica, Report report, Report previous, Instant at,
      String resourceVersion) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("viewers", replacing(report.viewers(), previous.viewers()));
    body.put("waiting", report.waiting());
    body.put("seats", replacing(report.seats(), previous.seats()));
    body.put("adopted", replacing(report.adopted(), previous.adopted()));
    body.put("waitingAdopted", replacing(report.waitingAdopted(), previous.waitingAdopted()));
    body.put("reportedAt", at.truncatedTo(ChronoUnit.SECONDS).toString());
    return patch(replica, body, resourceVersion);
  }

  private static Map<String, Integer> replacing(Map<String, Integer> now, Map<String, Integer> before) {
    Map<String, Integer> counts = new LinkedHashMap<>(new java.util.TreeMap<>(now));
    before.keySet().forEach(key -> counts.putIfAbsent(key, null));
    return counts;
  }

  /** The JSON merge patch that removes {@code replica}'s report, so its viewers stop counting at once. */
  public static String withdrawalPatch(String replica) {
    return patch(replica, null, null);
  }

  /**
   * The JSON merge patch that removes the reports of {@code replicas} (gone replicas' stale entries), applied only to
   * {@code resourceVersion}, so a replica that came back and reported meanwhile keeps its entry.
   */
  public static String retirementPatch(Collection<String> replicas, String resourceVersion) {
    Map<String, Object> audience = new HashMap<>();
    replicas.forEach(r -> audience.put(r, null));
    return write(audience, resourceVersion);
  }

  private static String patch(String replica, Map<String, Object> report, String resourceVersion) {
    Map<String, Object> audience = new HashMap<>();
    audience.put(replica, report);
    return write(audience, resourceVersion);
  }

  private static String write(Map<String, Object> audience, String resourceVersion) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (resourceVersion != null) {
      body.put("metadata", Map.of("resourceVersion", resourceVersion));
    }
    body.put("status", Map.of("audience", audience));
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an audience report", e);
    }
  }
}
