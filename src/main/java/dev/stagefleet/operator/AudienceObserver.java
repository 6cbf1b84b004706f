package dev.stagefleet.operator;

import java.time.Instant;

/**
 * Viewers per stage, from the two sources: the gateways' reports in {@code status.audience} (free and immediate; see
 * {@link dev.stagefleet.api.v1alpha1.AudienceReports}) and IVS's sampled counts (slow and authoritative). Per stage
 * the larger of the two counts.
 */
public final class AudienceObserver {
  private AudienceObserver() {
  }

  /** The observed count of one stage: the larger of the gateways' report and IVS's sample. */
  public static int observed(Integer reported, Integer sampled) {
    return Math.max(reported == null ? 0 : reported, sampled == null ? 0 : sampled);
  }

  /**
   * When a stage's observed count was made: the gateways' report time when they report (they place viewers, so
   * they know of a viewer before IVS does), else the IVS sample's time; null when neither is fresh.
   */
  public static Instant countedAt(Instant reported, Instant sampled) {
    return reported != null ? reported : sampled;
  }
}
