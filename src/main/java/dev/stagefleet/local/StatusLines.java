package dev.stagefleet.local;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.io.PrintStream;
import java.time.Clock;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Local mode's console: one line whenever a broadcast's stages, viewers or phase change. */
final class StatusLines implements ResourceEventHandler<LiveBroadcast> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final PrintStream out;
  private final Clock clock;
  private final Map<String, String> last = new ConcurrentHashMap<>();

  StatusLines(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  @Override
  public void onAdd(LiveBroadcast lb) {
    print(lb);
  }

  @Override
  public void onUpdate(LiveBroadcast old, LiveBroadcast lb) {
    print(lb);
  }

  @Override
  public void onDelete(LiveBroadcast lb, boolean unknownFinalState) {
    String key = lb.getMetadata().getNamespace() + "/" + lb.getMetadata().getName();
    last.remove(key);
    out.println(TIME.format(LocalTime.now(clock)) + "  " + key + "  deleted");
  }

  private void print(LiveBroadcast lb) {
    LiveBroadcastStatus status = lb.getStatus();
    String key = lb.getMetadata().getNamespace() + "/" + lb.getMetadata().getName();
    String line;
    if (status == null) {
      line = "phase=Pending";
    } else {
      long draining = status.stagesOrEmpty().stream().filter(s -> !s.isActive()).count();
      line = "phase=" + status.getPhase() + "  stages=" + status.getReadyStages() + " active"
          + (draining > 0 ? " + " + draining + " draining" : "") + " (desired " + status.getDesiredStages()
          + ")  viewers=" + status.getViewers()
          + "  waiting=" + (status.getWaiting() == null ? 0 : status.getWaiting());
    }
    if (!line.equals(last.put(key, line))) {
      out.println(TIME.format(LocalTime.now(clock)) + "  " + key + "  " + line);
    }
  }
}
