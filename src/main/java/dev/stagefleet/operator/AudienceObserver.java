package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.AudienceReport;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

/**
 * Viewers per stage, from the two sources: the gateways' reports in {@code status.audience} (free and immediate;
 * summed across gateway replicas, ignored when older than {@link #STALE_AFTER}) and IVS's sampled counts (slow and
 * authoritative). Per stage the larger of the two counts.
 */
public final class AudienceObserver {
  /** Reports older than this are ignored (contract 3: the gateways report far more often). */
  public static final Duration STALE_AFTER = Duration.ofSeconds(30);

  private AudienceObserver() {
  }

  /** Viewers per stage id reported by gateways whose reports are fresh at {@code now}. */
  public static Map<String, Integer> reportedViewers(LiveBroadcastStatus status, Instant now) {
    Map<String, Integer> viewers = new HashMap<>();
    if (status == null) {
      return viewers;
    }
    for (AudienceReport report : status.audienceOrEmpty().values()) {
      if (report == null || report.getViewers() == null || !isFresh(report.getReportedAt(), now)) {
        continue;
      }
      report.getViewers().forEach((stageId, n) -> {
        if (stageId != null && n != null && n > 0) {
          viewers.merge(stageId, n, Integer::sum);
        }
      });
    }
    return viewers;
  }

  static boolean isFresh(String reportedAt, Instant now) {
    if (reportedAt == null) {
      return false;
    }
    try {
      Instant at = OffsetDateTime.parse(reportedAt).toInstant();
      return !at.plus(STALE_AFTER).isBefore(now);
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** The observed count of one stage: the larger of the gateways' report and IVS's sample. */
  public static int observed(Integer reported, Integer sampled) {
    return Math.max(reported == null ? 0 : reported, sampled == null ? 0 : sampled);
  }
}
