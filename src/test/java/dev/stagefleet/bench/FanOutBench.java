package dev.stagefleet.bench;

import dev.stagefleet.api.v1alpha1.FanOut;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Scenario 6: broadcaster fan-out. One broadcast grows from 1 to N stages, one stage at a time, first with
 * {@code fanOut: direct} (the seed design, the yardstick) and then with {@code fanOut: replicated}, while a
 * {@link BroadcasterPage} publishes by the page's rules. Per N: the stages the broadcaster uploads into once the
 * broadcast is steady (goal: at most ceil(N / 6), against N direct); the time from a new stage to the broadcaster's
 * replica being in it; the IVS calls each scale event cost; then, with nothing changing, the calls at steady state
 * (goal: no mutating call) and 429s over the whole run (goal: none).
 */
public final class FanOutBench {

  /**
   * Sizes of a run.
   *
   * @param stages   N, the most stages the broadcast grows to
   * @param handover how long the page keeps publishing into a stage that became a replica (the page's HANDOVER_MS)
   * @param steady   how long calls are counted with nothing changing, at N stages
   */
  public record Settings(int stages, Duration handover, Duration steady) {
    public Settings {
      if (stages < 1) {
        throw new IllegalArgumentException("stages must be at least 1");
      }
      if (handover.isNegative() || steady.isNegative() || steady.isZero()) {
        throw new IllegalArgumentException("the hand-over must not be negative and the steady time must be positive");
      }
    }
  }

  static final int REPLICAS_PER_ORIGIN = 5;
  static final List<String> REPLICATION_CALLS = List.of("StartParticipantReplication", "StopParticipantReplication",
      "ListParticipantReplicas", "ListParticipants");
  private static final String USER_ID = "broadcaster";
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);

  /** What one growth step measured. */
  private record Step(int stages, int publishing, int peak, Long replicaNanos, Map<String, Long> calls) {
  }

  private FanOutBench() {
  }

  public static BenchReport run(Settings settings, PrintStream progress) {
    BenchReport report = new BenchReport("6. broadcaster fan-out", Instant.now())
        .parameter("stages", settings.stages()).parameter("handover", settings.handover())
        .parameter("steady", settings.steady());
    try (BenchStack stack = BenchStack.start()) {
      // participant sampling off: every ListParticipants counted is then one the replication spent
      stack.startOperator(s -> s.toBuilder().participantSampleRate(0).build());
      report.note("the operator's participant sampling (ListParticipants for viewer counts, the same in both modes) "
          + "is off, so the ListParticipants counted are the replication's own lookups of the broadcaster");
      GatewayServer gateway = stack.startGateway(TokenMode.SELF_SIGNED, UnaryOperator.identity());
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      Broadcasts broadcasts = new Broadcasts(stack.client(), BenchStack.NAMESPACE);
      long throttledBefore = stack.emulator().stats().throttled();

      List<Step> direct = grow(stack, gateway, http, broadcasts, "fan-direct", FanOut.DIRECT, settings, progress,
          null);
      broadcasts.delete("fan-direct");
      Waits.until(STEP_TIMEOUT, Duration.ofMillis(100), "the direct broadcast's stages being deleted",
          () -> stack.emulator().stages().isEmpty() && broadcasts.get("fan-direct") == null);
      Map<String, Long> steadyCalls = new HashMap<>();
      List<Step> replicated = grow(stack, gateway, http, broadcasts, "fan-replicated", FanOut.REPLICATED, settings,
          progress, steadyCalls);
      long throttled = stack.emulator().stats().throttled() - throttledBefore;
      record(report, settings, direct, replicated, steadyCalls, throttled);
    } catch (IOException e) {
      throw new IllegalStateException("talking to the gateway failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
    return report;
  }

  /** Grows one broadcast from 1 to N stages; with {@code steadyCalls}, then counts the calls at steady state. */
  private static List<Step> grow(BenchStack stack, GatewayServer gateway, HttpClient http, Broadcasts broadcasts,
      String name, FanOut mode, Settings settings, PrintStream progress, Map<String, Long> steadyCalls)
      throws IOException, InterruptedException {
    IvsEmulator emulator = stack.emulator();
    broadcasts.create(name, 50, 1, settings.stages(), 0.8, spec -> spec.setFanOut(mode));
    Waits.until(STEP_TIMEOUT, Duration.ofMillis(20), name + " having its first stage",
        () -> Broadcasts.activeStages(broadcasts.get(name)) == 1);
    List<Step> steps = new ArrayList<>();
    try (BroadcasterPage page = BroadcasterPage.open(http, gateway.port(), emulator, BenchStack.NAMESPACE, name,
        Broadcasts.apiKey(name), settings.handover())) {
      Set<String> known = Set.of();
      for (int n = 1; n <= settings.stages(); n++) {
        Map<String, Long> before = emulator.stats().callsByOperation();
        page.resetPeak();
        if (n > 1) {
          broadcasts.setMinStages(name, n);
        }
        int wanted = n;
        long[] replicaActive = {0};
        String[] newStage = {null};
        Set<String> previous = known;
        Waits.until(STEP_TIMEOUT, Duration.ofMillis(10), name + " steady at " + n + " stages", () -> {
          page.pump();
          List<StageStatus> stages = Broadcasts.status(broadcasts.get(name)).stagesOrEmpty();
          if (newStage[0] == null) {
            newStage[0] = stages.stream().map(StageStatus::getArn).filter(a -> !previous.contains(a)).findFirst()
                .orElse(null);
          }
          if (newStage[0] != null && replicaActive[0] == 0 && page.replicaIn(newStage[0], USER_ID)) {
            replicaActive[0] = System.nanoTime();
          }
          return stages.size() == wanted && stages.stream().allMatch(s -> s.isActive() && steady(page, s));
        });
        List<StageStatus> stages = Broadcasts.status(broadcasts.get(name)).stagesOrEmpty();
        known = Set.copyOf(stages.stream().map(StageStatus::getArn).toList());
        StageStatus added = stages.stream().filter(s -> s.getArn().equals(newStage[0])).findFirst().orElse(null);
        Long toReplica = added != null && StageStatus.REPLICA.equals(added.getFeed()) && replicaActive[0] != 0
            ? replicaActive[0] - page.toldAt(added.getArn()) : null;
        Step step = new Step(n, page.publishing(), page.peak(), toReplica,
            difference(before, emulator.stats().callsByOperation()));
        steps.add(step);
        progress.printf(Locale.ROOT, "%s: %d stages, broadcaster publishes into %d (peak %d)%s%n", mode, n,
            step.publishing(), step.peak(), toReplica == null ? "" : String.format(Locale.ROOT,
                ", new stage's replica after %.0f ms", toReplica / 1e6));
      }
      if (steadyCalls != null) {
        Map<String, Long> before = emulator.stats().callsByOperation();
        long end = System.nanoTime() + settings.steady().toNanos();
        Waits.until(settings.steady().plusSeconds(10), Duration.ofMillis(50), "the steady-state window", () -> {
          page.pump();
          return System.nanoTime() >= end;
        });
        steadyCalls.putAll(difference(before, emulator.stats().callsByOperation()));
        if (page.publishing() != origins(settings.stages())) {
          throw new IllegalStateException("the broadcaster publishes into " + page.publishing()
              + " stages at steady state, expected " + origins(settings.stages()));
        }
      }
    }
    return steps;
  }

  /** A stage is steady when the broadcaster publishes into it exactly when the status says it is not a replica. */
  private static boolean steady(BroadcasterPage page, StageStatus stage) {
    if (stage.getFeed() == null) {
      return false;
    }
    boolean replica = StageStatus.REPLICA.equals(stage.getFeed()) && stage.getSource() != null;
    return replica ? !page.publishesInto(stage.getArn()) && page.replicaIn(stage.getArn(), USER_ID)
        : page.publishesInto(stage.getArn());
  }

  private static void record(BenchReport report, Settings settings, List<Step> direct, List<Step> replicated,
      Map<String, Long> steadyCalls, long throttled) {
    boolean withinGoal = true;
    StringBuilder misses = new StringBuilder();
    for (int i = 0; i < replicated.size(); i++) {
      Step r = replicated.get(i);
      Step d = direct.get(i);
      int goal = origins(r.stages());
      withinGoal &= r.publishing() <= goal;
      if (r.publishing() > goal) {
        misses.append(" N=").append(r.stages()).append(": ").append(r.publishing());
      }
      report.figure("N=" + r.stages() + ": broadcaster publishes into, replicated", r.publishing(), "stages",
          String.format(Locale.ROOT, "goal <= %d; direct %d; peak during the step %d (direct %d)", goal,
              d.publishing(), r.peak(), d.peak()));
    }
    Step last = replicated.get(replicated.size() - 1);
    report.figure("uploads at N=" + last.stages() + ", replicated / direct", (double) last.publishing()
        / direct.get(direct.size() - 1).publishing(), "ratio", "");

    long[] toReplica = replicated.stream().filter(s -> s.replicaNanos() != null)
        .mapToLong(Step::replicaNanos).toArray();
    Latencies latencies = Latencies.of(toReplica, toReplica.length);
    report.figure("new stage -> its replica in it, p50", Latencies.millis(latencies.median()), "ms",
        toReplica.length + " new stages that became replicas (from stage_created on the broadcaster's socket)");
    report.figure("new stage -> its replica in it, max", Latencies.millis(latencies.max()), "ms", "");

    List<Step> events = replicated.subList(1, replicated.size());
    List<Step> directEvents = direct.subList(1, direct.size());
    if (!events.isEmpty()) {
      for (String operation : REPLICATION_CALLS) {
        report.figure("per scale event: " + operation, mean(events, operation), "calls", String.format(Locale.ROOT,
            "mean of %d; max %d; direct mode %.1f", events.size(), max(events, operation),
            mean(directEvents, operation)));
      }
    }
    double minutes = settings.steady().toMillis() / 60_000.0;
    long mutating = steadyCalls.entrySet().stream().filter(e -> IvsEconomyBench.MUTATING.contains(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
    Map<String, Long> sorted = new TreeMap<>(steadyCalls);
    for (String operation : REPLICATION_CALLS) {
      sorted.putIfAbsent(operation, 0L);
    }
    sorted.forEach((operation, calls) -> report.figure("steady " + operation + " per minute", calls / minutes,
        "calls/min", calls + " calls in " + String.format(Locale.ROOT, "%.1f", minutes) + " min at N="
            + settings.stages()));
    report.figure("steady mutating calls", mutating, "calls", "");
    report.figure("429 answers over the run", throttled, "calls", "both modes");
    report.goal("broadcaster publishes into at most ceil(N / 6) stages, N = 1.." + settings.stages(),
        withinGoal ? "met at every N; " + last.publishing() + " at N=" + last.stages() : "missed at" + misses,
        withinGoal);
    report.goal("zero mutating IVS calls at steady state", mutating + " mutating calls", mutating == 0);
    report.goal("no 429 answers", throttled + " answered 429", throttled == 0);
  }

  /** ceil(n / 6): one origin per origin and its five replicas. */
  static int origins(int n) {
    return (n + REPLICAS_PER_ORIGIN) / (REPLICAS_PER_ORIGIN + 1);
  }

  private static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> diff = new HashMap<>();
    after.forEach((operation, calls) -> {
      long d = calls - before.getOrDefault(operation, 0L);
      if (d != 0) {
        diff.put(operation, d);
      }
    });
    return diff;
  }

  private static double mean(List<Step> steps, String operation) {
    return steps.stream().mapToLong(s -> s.calls().getOrDefault(operation, 0L)).average().orElse(0);
  }

  private static long max(List<Step> steps, String operation) {
    return steps.stream().mapToLong(s -> s.calls().getOrDefault(operation, 0L)).max().orElse(0);
  }

  /** For tests: the stages the broadcaster publishes into at N, from a report's figures. */
  static double publishesAt(BenchReport report, int n) {
    return report.value("N=" + n + ": broadcaster publishes into, replicated");
  }
}
