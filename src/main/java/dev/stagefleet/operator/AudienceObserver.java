package dev.stagefleet.operator;

import java.time.Instant;

/**
 * Viewers per stage, from the two sources: the gateways' reports in {@code status.audience} (free and immediate; see
 * {@link dev.stagefleet.api.v1alpha1.AudienceReports}) and IVS's sampled counts (slow and authoritative). Per stage
 * the larger of the two counts, unless the sample is older than the reports.
 */
public final class AudienceObserver {
  private AudienceObserver() {
  }

  /** The observed count of one stage: the larger of the gateways' report and IVS's sample. */
  public static int observed(Integer reported, Integer sampled) {
    return Math.max(reported == null ? 0 : reported, sampled == null ? 0 : sampled);
  }

  /**
   * The observed count of one stage, when the times are known: the larger of the two, but a sample taken before the
   * gateways' fresh reports were counted does not outweigh them (viewers that left or moved since, e.g. off a
   * gateway replica that went away, are still in it).
   *
   * @param reportedAt when the fresh reports were counted; null when no gateway reports fresh
   * @param sampledAt  when IVS was sampled; null when there is no fresh sample
   */
  public static int observed(Integer reported, Instant reportedAt, Integer sampled, Instant sampledAt) {
    if (reportedAt != null && sampledAt != null && sampledAt.isBefore(reportedAt)) {
      return reported == null ? 0 : reported;
    }
    return observed(reported, sampled);
  }

  /**
   * When a stage's observed count was made: the gateways' report time when they report (they place viewers, so
   * they know of a viewer before IVS does), else the IVS sample's time; null when neither is fresh.
   */
  public static Instant countedAt(Instant reported, Instant sampled) {
    return reported != null ? reported : sampled;
  }
}
