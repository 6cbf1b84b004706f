package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "validate" step: what in a stored LiveBroadcast cannot be read, and what its spec asks that this operator
 * cannot do, before anything is acted on.
 */
final class SpecCheck {
  // the reconciler's logger, so the operator's log names the same source for these lines as before
  private static final Logger LOG = LoggerFactory.getLogger(LiveBroadcastReconciler.class);

  private final IvsRegions regions;
  private final EventRecorder events;

  SpecCheck(IvsRegions regions, EventRecorder events) {
    this.regions = regions;
    this.events = events;
  }

  /**
   * One log line (and for a status, a Warning Event; a spec gets its InvalidSpec Event) when the stored object has a
   * value of the wrong type, and again only when that changes. An unreadable spec is never acted on; an unreadable
   * status is written afresh from what IVS has.
   */
  void reportUnreadable(LiveBroadcast broadcast, BroadcastMemory remembered) {
    var spec = broadcast.getSpec() == null ? null : broadcast.getSpec().unreadableBecause().orElse(null);
    var status = broadcast.getStatus() == null ? null : broadcast.getStatus().unreadableBecause().orElse(null);
    String why = spec == null ? status : status == null ? spec : spec + "; " + status;
    String before = remembered.unreadable;
    remembered.unreadable = why;
    if (why == null || why.equals(before)) {
      return;
    }
    LOG.warn("LiveBroadcast {}/{} cannot be read ({}); {}", broadcast.getMetadata().getNamespace(),
        broadcast.getMetadata().getName(), why,
        spec != null ? "leaving its stages as they are until the spec is fixed" : "rewriting its status");
    if (spec == null) {
      events.warning(broadcast, EventRecorder.UNREADABLE_STATUS, "the status cannot be read and is written afresh: "
          + status);
    }
  }

  /** Every violation of the spec, plus a region this operator cannot serve. */
  List<String> violations(LiveBroadcast broadcast) {
    if (broadcast.getSpec() == null) {
      return List.of("spec is required");
    }
    List<String> violations = new ArrayList<>(broadcast.getSpec().validate());
    if (violations.isEmpty() && regions.region(broadcast.getSpec().getRegion()).isEmpty()) {
      violations.add("spec.region \"" + broadcast.getSpec().getRegion() + "\" is not served by this operator (it serves "
          + regions.defaultRegion() + ")");
    }
    return violations;
  }
}
