package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.Endpoints;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.scaling.ScalingStage;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The stages of one broadcast as one reconcile sees and changes them; becomes {@code status.stages}. */
final class BroadcastStages {
  private final Map<String, StageStatus> byId = new LinkedHashMap<>();
  /** When each stage's viewers were counted in this reconcile; not part of the status. */
  private final Map<String, Instant> countedAt = new HashMap<>();

  /** A working copy of the stages in the status. */
  static BroadcastStages of(List<StageStatus> stages) {
    BroadcastStages copy = new BroadcastStages();
    for (StageStatus s : stages) {
      if (s != null && s.getId() != null && s.getArn() != null) {
        StageStatus working = new StageStatus(s.getId(), s.getArn(), s.getState(), s.getViewers(),
            s.getCreatedAt(), s.getEndpoints(), s.getDrainingSince());
        working.setFeed(s.getFeed());
        working.setSource(s.getSource());
        copy.byId.put(s.getId(), working);
      }
    }
    return copy;
  }

  static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  List<StageStatus> list() {
    return List.copyOf(byId.values());
  }

  Optional<StageStatus> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  boolean containsArn(String arn) {
    return byId.values().stream().anyMatch(s -> s.getArn().equals(arn));
  }

  void add(IvsService.Stage stage, Instant createdAt) {
    var endpoints = stage.endpoints() == null ? null
        : new Endpoints(stage.endpoints().events(), stage.endpoints().whip());
    byId.put(stage.id(), new StageStatus(stage.id(), stage.arn(), StageStatus.ACTIVE, 0, timestamp(createdAt),
        endpoints, null));
  }

  void remove(String id) {
    byId.remove(id);
  }

  void setViewers(String id, int viewers, Instant counted) {
    byId.get(id).setViewers(viewers);
    countedAt.put(id, counted);
  }

  /** How the broadcaster reaches the stage: origin, or replica of {@code source}. */
  void setFeed(String id, String feed, String source) {
    StageStatus s = byId.get(id);
    s.setFeed(feed);
    s.setSource(source);
  }

  void activate(String id) {
    StageStatus s = byId.get(id);
    s.setState(StageStatus.ACTIVE);
    s.setDrainingSince(null);
  }

  void drain(String id, Instant now) {
    StageStatus s = byId.get(id);
    s.setState(StageStatus.DRAINING);
    s.setDrainingSince(timestamp(now));
  }

  int active() {
    return (int) byId.values().stream().filter(StageStatus::isActive).count();
  }

  int draining() {
    return byId.size() - active();
  }

  int viewers() {
    return byId.values().stream().mapToInt(s -> s.getViewers() == null ? 0 : s.getViewers()).sum();
  }

  /** The stages as the scaling policy sees them. */
  List<ScalingStage> forPolicy(Instant now) {
    List<ScalingStage> out = new ArrayList<>();
    for (StageStatus s : byId.values()) {
      int viewers = s.getViewers() == null ? 0 : s.getViewers();
      Instant created = parse(s.getCreatedAt(), null);
      if (StageStatus.DRAINING.equals(s.getState())) {
        out.add(ScalingStage.draining(s.getId(), viewers, created, parse(s.getDrainingSince(), now))
            .countedAt(countedAt.get(s.getId())));
      } else {
        out.add(ScalingStage.active(s.getId(), viewers, created).countedAt(countedAt.get(s.getId())));
      }
    }
    return out;
  }

  private static Instant parse(String timestamp, Instant fallback) {
    if (timestamp == null) {
      return fallback;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }
}
