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
 * fresh reports. Each replica counts only the viewers it holds itself, so the sum counts each viewer once.
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

  /** Viewers per stage id, summed over the fresh reports of every replica but {@code exceptReplica} (null: none). */
  public static Map<String, Integer> freshViewers(LiveBroadcastStatus status, Instant now, String exceptReplica) {
    Map<String, Integer> sum = new HashMap<>();
    if (status == null) {
      return sum;
    }
    status.audienceOrEmpty().forEach((replica, report) -> {
      if (replica.equals(exceptReplica) || report == null || report.getViewers() == null || !isFresh(report, now)) {
        return;
      }
      report.getViewers().forEach((stageId, n) -> {
        if (stageId != null && n != null && n > 0) {
          sum.merge(stageId, n, Integer::sum);
        }
      });
    });
    return sum;
  }

  /** Viewers held waiting for a seat, summed over every replica whose report is fresh at {@code now}. */
  public static int freshWaiting(LiveBroadcastStatus status, Instant now) {
    if (status == null) {
      return 0;
    }
    return status.audienceOrEmpty().values().stream()
        .filter(r -> r != null && r.getWaiting() != null && r.getWaiting() > 0 && isFresh(r, now))
        .mapToInt(AudienceReport::getWaiting).sum();
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
   * The JSON merge patch (for the status subresource) that sets {@code replica}'s report to {@code viewers} and
   * {@code waiting} at {@code at}. A merge patch merges maps, so stages in {@code previousStages} but not in
   * {@code viewers} are removed explicitly.
   */
  public static String reportPatch(String replica, Map<String, Integer> viewers, int waiting,
      Collection<String> previousStages, Instant at) {
    Map<String, Integer> counts = new LinkedHashMap<>(viewers);
    previousStages.forEach(stageId -> counts.putIfAbsent(stageId, null));
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("viewers", counts);
    report.put("waiting", waiting);
    report.put("reportedAt", at.truncatedTo(ChronoUnit.SECONDS).toString());
    return patch(replica, report);
  }

  /** The JSON merge patch that removes {@code replica}'s report, so its viewers stop counting at once. */
  public static String withdrawalPatch(String replica) {
    return patch(replica, null);
  }

  private static String patch(String replica, Map<String, Object> report) {
    Map<String, Object> audience = new HashMap<>();
    audience.put(replica, report);
    try {
      return JSON.writeValueAsString(Map.of("status", Map.of("audience", audience)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an audience report", e);
    }
  }
}
