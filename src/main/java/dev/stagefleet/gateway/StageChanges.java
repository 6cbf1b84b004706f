package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What changed in a broadcast's stage list between two looks at its status. Pure. */
final class StageChanges {

  enum Kind {
    /** A stage appeared. */
    CREATED,
    /** An Active stage began draining. */
    DRAINING,
    /** A draining stage was made Active again. */
    REACTIVATED,
    /** A stage left the status (it was deleted). */
    DELETED,
    /** A stage's viewer count in the status changed (its state did not). */
    VIEWERS,
    /** A stage's feed changed: it became an origin (publish into it) or a replica of another stage (stop). */
    FEED
  }

  record Change(Kind kind, StageStatus stage) {
  }

  private StageChanges() {
  }

  static List<Change> between(List<StageStatus> before, List<StageStatus> after) {
    Map<String, StageStatus> old = byArn(before);
    Map<String, StageStatus> now = byArn(after);
    List<Change> changes = new ArrayList<>();
    now.forEach((arn, stage) -> {
      StageStatus previous = old.get(arn);
      if (previous == null) {
        changes.add(new Change(Kind.CREATED, stage));
      } else if (!Objects.equals(previous.getState(), stage.getState())) {
        if (StageStatus.DRAINING.equals(stage.getState())) {
          changes.add(new Change(Kind.DRAINING, stage));
        } else if (stage.isActive()) {
          changes.add(new Change(Kind.REACTIVATED, stage));
        }
      } else if (!Objects.equals(previous.getViewers(), stage.getViewers())) {
        changes.add(new Change(Kind.VIEWERS, stage));
      }
      if (previous != null && (!Objects.equals(previous.getFeed(), stage.getFeed())
          || !Objects.equals(previous.getSource(), stage.getSource()))) {
        changes.add(new Change(Kind.FEED, stage));
      }
    });
    old.forEach((arn, stage) -> {
      if (!now.containsKey(arn)) {
        changes.add(new Change(Kind.DELETED, stage));
      }
    });
    return changes;
  }

  private static Map<String, StageStatus> byArn(List<StageStatus> stages) {
    Map<String, StageStatus> map = new LinkedHashMap<>();
    if (stages != null) {
      for (StageStatus stage : stages) {
        if (stage != null && stage.getArn() != null) {
          map.put(stage.getArn(), stage);
        }
      }
    }
    return map;
  }
}
