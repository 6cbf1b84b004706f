package dev.stagefleet.scaling;

import dev.stagefleet.api.v1alpha1.FanOut;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which stages the broadcaster publishes into (origins) and which IVS fills by participant replication
 * (replicas, each from one origin): ceil(N / 6) origins, each feeding at most {@value #REPLICAS_PER_ORIGIN} replicas,
 * since IVS allows a participant 5 concurrent replications and no replica is replicated again (chaining is not
 * confirmed). The plan is stable: a healthy replica (its origin still there, its replication working) keeps its
 * origin, so adding or draining a stage never interrupts the viewers of another.
 */
public final class FanOutPlan {
  /** IVS: at most 5 concurrent replications per participant, not adjustable. */
  public static final int REPLICAS_PER_ORIGIN = 5;

  private FanOutPlan() {
  }

  /**
   * One stage as the plan sees it.
   *
   * @param active false while the stage drains (it keeps its feed for its remaining viewers, but is not chosen
   *     as a new origin while an active stage can be)
   * @param previous the feed the last plan gave it, or null for a new stage
   * @param canReceiveReplica false while replication into this stage fails, so it must be an origin (never dark)
   */
  public record Stage(String id, boolean active, Feed previous, boolean canReceiveReplica) {
    public Stage {
      Objects.requireNonNull(id, "id");
    }

    public static Stage fresh(String id) {
      return new Stage(id, true, null, true);
    }
  }

  /** How one stage gets the broadcaster's media: published into directly, or replicated from {@code source}. */
  public record Feed(boolean origin, String source) {
    public Feed {
      if (origin != (source == null)) {
        throw new IllegalArgumentException("an origin has no source and a replica has one");
      }
    }

    public static Feed asOrigin() {
      return new Feed(true, null);
    }

    public static Feed replicaOf(String source) {
      return new Feed(false, Objects.requireNonNull(source, "source"));
    }
  }

  /** The feed of every stage, in the order of {@code stages} (which should be the stages' creation order). */
  public static Map<String, Feed> assign(FanOut mode, List<Stage> stages) {
    Map<String, Feed> feeds = new LinkedHashMap<>();
    if (mode == FanOut.DIRECT) {
      stages.forEach(s -> feeds.put(s.id(), Feed.asOrigin()));
      return feeds;
    }
    Map<String, Stage> byId = new LinkedHashMap<>();
    stages.forEach(s -> byId.put(s.id(), s));
    Map<String, Integer> order = new HashMap<>();
    stages.forEach(s -> order.put(s.id(), order.size()));

    // 1. Keep every healthy replica where it is: its previous origin is still here and was an origin.
    Map<String, List<String>> replicasOf = new LinkedHashMap<>();
    Set<String> placed = new HashSet<>();
    for (Stage s : stages) {
      Feed prev = s.previous();
      if (prev == null || prev.origin() || !s.canReceiveReplica()) {
        continue;
      }
      Stage source = byId.get(prev.source());
      if (source == null || source.previous() == null || !source.previous().origin()) {
        continue;
      }
      List<String> kept = replicasOf.computeIfAbsent(source.id(), k -> new ArrayList<>());
      if (kept.size() < REPLICAS_PER_ORIGIN) {
        kept.add(s.id());
        placed.add(s.id());
        placed.add(source.id());
      }
    }
    // 2. Stages that cannot receive a replica are origins, whatever else happens.
    for (Stage s : stages) {
      if (!s.canReceiveReplica() && !placed.contains(s.id())) {
        replicasOf.put(s.id(), new ArrayList<>());
        placed.add(s.id());
      }
    }
    // 3. The rest fill the origins' free places; only what does not fit opens new origins, six stages each.
    List<Stage> unplaced = stages.stream().filter(s -> !placed.contains(s.id())).toList();
    int room = replicasOf.values().stream().mapToInt(r -> REPLICAS_PER_ORIGIN - r.size()).sum();
    int newOrigins = Math.max(0, ceilDiv(unplaced.size() - room, REPLICAS_PER_ORIGIN + 1));
    // the broadcaster already publishing into a stage, and a stage staying longer, make the better new origin
    Comparator<Stage> asOrigin = Comparator.comparing((Stage s) -> !s.active())
        .thenComparing(s -> s.previous() == null || !s.previous().origin())
        .thenComparing(s -> order.get(s.id()));
    unplaced.stream().sorted(asOrigin).limit(newOrigins).forEach(s -> replicasOf.put(s.id(), new ArrayList<>()));
    // a replica is best fed by an active origin, which will not be drained away from under it soon
    List<String> origins = replicasOf.keySet().stream()
        .sorted(Comparator.comparing((String id) -> !byId.get(id).active()).thenComparing(order::get)).toList();
    for (Stage s : unplaced) {
      if (replicasOf.containsKey(s.id())) {
        continue;
      }
      String origin = origins.stream().filter(o -> replicasOf.get(o).size() < REPLICAS_PER_ORIGIN).findFirst()
          .orElseThrow(() -> new IllegalStateException("no origin has room; the origin count is wrong"));
      replicasOf.get(origin).add(s.id());
    }

    Map<String, String> sourceOf = new HashMap<>();
    replicasOf.forEach((origin, replicas) -> replicas.forEach(r -> sourceOf.put(r, origin)));
    for (Stage s : stages) {
      feeds.put(s.id(), sourceOf.containsKey(s.id()) ? Feed.replicaOf(sourceOf.get(s.id())) : Feed.asOrigin());
    }
    return feeds;
  }

  /** Origins a broadcast of {@code stages} stages needs when every replication works. */
  public static int originsFor(int stages) {
    return ceilDiv(stages, REPLICAS_PER_ORIGIN + 1);
  }

  private static int ceilDiv(int a, int b) {
    return a <= 0 ? 0 : (a + b - 1) / b;
  }
}
