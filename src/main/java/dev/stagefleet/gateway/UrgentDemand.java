package dev.stagefleet.gateway;

import dev.stagefleet.scaling.ScalingPolicy;
import dev.stagefleet.scaling.ScalingSettings;

/**
 * Whether a broadcast's demand has changed the operator's decision since this replica last wrote its audience
 * report, so the report is written now instead of on the next tick: a line formed (waiting went from none to some),
 * or placed plus waiting now asks for more stages than the written report did. Anything else (fewer viewers, demand
 * within the stages already asked for) waits for the tick, since scaling down waits for its window anyway.
 */
final class UrgentDemand {
  private UrgentDemand() {
  }

  /** One replica's demand for a broadcast: the viewers it placed and the viewers it holds waiting. */
  record Demand(int placed, int waiting) {
    static final Demand NONE = new Demand(0, 0);

    int total() {
      return placed + waiting;
    }
  }

  /**
   * @param written   what the last written report said ({@link Demand#NONE} when none was written)
   * @param now       what the report would say now
   * @param elsewhere placed plus waiting in the other replicas' fresh reports, which the operator adds to this one's
   * @param scaling   the broadcast's scaling settings, as the operator applies them
   */
  static boolean urgent(Demand written, Demand now, int elsewhere, ScalingSettings scaling) {
    if (written.waiting() == 0 && now.waiting() > 0) {
      return true;
    }
    return ScalingPolicy.desiredStages(elsewhere + now.total(), scaling)
        > ScalingPolicy.desiredStages(elsewhere + written.total(), scaling);
  }
}
