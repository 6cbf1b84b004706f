package dev.stagefleet.bench;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.emulator.EmulatorStats;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.operator.OperatorSettings;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Scenario 3: IVS call economy. N broadcasts with M stages each reach steady state; then, for T minutes, the IVS calls
 * the operator makes are counted by operation at the emulator (goal: no mutating call, and ListStages within one page
 * per 100 stages per inventory refresh). Then K broadcasts scale up at once (goal: the emulator answers no call with
 * 429 and all converge). Yardsticks: the listing budget and, for convergence, the time IVS's own 5/s CreateStage
 * quota needs for the same stages.
 */
public final class IvsEconomyBench {

  /**
   * Sizes of a run.
   *
   * @param broadcasts      N, LiveBroadcasts at steady state
   * @param stagesEach      M, stages each (its minStages)
   * @param steady          T, how long calls are counted at steady state
   * @param scaling         K, broadcasts that scale up by one stage at once afterwards (at most N)
   */
  public record Settings(int broadcasts, int stagesEach, Duration steady, int scaling) {
    public Settings {
      if (broadcasts < 1 || stagesEach < 1) {
        throw new IllegalArgumentException("broadcasts and stages each must be at least 1");
      }
      if (scaling < 0 || scaling > broadcasts) {
        throw new IllegalArgumentException("scaling broadcasts must be between 0 and " + broadcasts);
      }
    }
  }

  /** Operations that change something in IVS. */
  static final Set<String> MUTATING = Set.of("CreateStage", "DeleteStage", "UpdateStage", "TagResource",
      "UntagResource", "CreateParticipantToken", "DisconnectParticipant", "ImportPublicKey", "DeletePublicKey",
      "StartParticipantReplication", "StopParticipantReplication", "CreateEncoderConfiguration",
      "StartComposition", "StopComposition");

  private static final int VIEWERS_PER_STAGE = 10;
  private static final double TARGET_FILL = 0.8;
  private static final double CREATE_STAGE_QUOTA = 5.0;

  private IvsEconomyBench() {
  }

  public static BenchReport run(Settings settings, PrintStream progress) {
    BenchReport report = new BenchReport("3. IVS call economy", Instant.now())
        .parameter("broadcasts", settings.broadcasts()).parameter("stagesEach", settings.stagesEach())
        .parameter("steady", settings.steady()).parameter("scaling", settings.scaling());
    try (BenchStack stack = BenchStack.start()) {
      IvsEmulator emulator = stack.emulator();
      int stagesNeeded = settings.broadcasts() * settings.stagesEach() + settings.scaling();
      if (stagesNeeded > emulator.quotas().stages()) {
        emulator.quotas().stages(stagesNeeded);
        report.note("the emulator's stage quota was raised from 1,000 to " + stagesNeeded
            + " (IVS's default is 1,000 per account and region; it can be raised)");
      }
      OperatorSettings operator = stack.operatorSettings();
      stack.startOperator(s -> s);
      Broadcasts broadcasts = new Broadcasts(stack.client(), BenchStack.NAMESPACE);
      List<String> names = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < settings.broadcasts(); i++) {
        String name = String.format(Locale.ROOT, "eco-%04d", i);
        broadcasts.create(name, VIEWERS_PER_STAGE, settings.stagesEach(), settings.stagesEach() + 1, TARGET_FILL);
        names.add(name);
      }
      int total = settings.broadcasts() * settings.stagesEach();
      Duration convergeTimeout = Duration.ofSeconds(120 + Math.round(3 * total / CREATE_STAGE_QUOTA));
      long converged = awaitStages(broadcasts, names, settings.stagesEach(), convergeTimeout, progress);
      double convergeSeconds = (converged - start) / 1e9;
      double floorSeconds = total / CREATE_STAGE_QUOTA;
      report.figure("initial convergence: " + total + " stages", convergeSeconds, "s",
          settings.broadcasts() + " broadcasts created at once");
      report.figure("initial convergence / IVS CreateStage floor", convergeSeconds / floorSeconds, "ratio",
          String.format(Locale.ROOT, "floor %.0f s = %d stages at 5/s", floorSeconds, total));
      report.figure("429 answers during initial convergence", emulator.stats().throttled(), "calls", "");

      steadyState(emulator, operator, settings, total, report, progress);
      if (settings.scaling() > 0) {
        burst(emulator, broadcasts, names.subList(0, settings.scaling()), settings, report, progress);
      }
    }
    return report;
  }

  private static void steadyState(IvsEmulator emulator, OperatorSettings operator, Settings settings, int stages,
      BenchReport report, PrintStream progress) {
    EmulatorStats stats = emulator.stats();
    stats.reset();
    long start = System.nanoTime();
    long end = start + settings.steady().toNanos();
    while (System.nanoTime() < end) {
      long left = end - System.nanoTime();
      sleep(Math.min(left, 30_000_000_000L));
      progress.printf(Locale.ROOT, "steady state: %.0f s, %d IVS calls so far%n", (System.nanoTime() - start) / 1e9,
          stats.totalCalls());
    }
    double minutes = (System.nanoTime() - start) / 60e9;
    Map<String, Long> calls = new TreeMap<>(stats.callsByOperation());
    for (String always : List.of("ListStages", "GetStage", "ListParticipants", "CreateStage", "DeleteStage")) {
      calls.putIfAbsent(always, 0L);
    }
    long mutating = calls.entrySet().stream().filter(e -> MUTATING.contains(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
    for (Map.Entry<String, Long> call : calls.entrySet()) {
      report.figure("steady " + call.getKey() + " per minute", call.getValue() / minutes, "calls/min",
          call.getValue() + " calls in " + String.format(Locale.ROOT, "%.1f", minutes) + " min");
    }
    double refreshSeconds = operator.inventoryRefreshInterval().toMillis() / 1000.0;
    long pages = (stages + 99) / 100;
    double listBudget = pages * 60 / refreshSeconds;
    double listed = calls.getOrDefault("ListStages", 0L) / minutes;
    report.figure("steady mutating calls", mutating, "calls", "CreateStage, DeleteStage, Tag*, tokens, ...");
    report.figure("steady ListStages / budget", listed / listBudget, "ratio", String.format(Locale.ROOT,
        "budget %.0f/min = %d pages (100 stages each) per %.0f s refresh", listBudget, pages, refreshSeconds));
    // a participant sample is a GetStage (for the active session) and, when a session is live, ListParticipants pages
    double sampleBudget = operator.participantSampleRate() * 60;
    double samples = calls.getOrDefault("GetStage", 0L) / minutes;
    report.figure("steady participant samples (GetStage) / sampling budget", samples / sampleBudget, "ratio",
        String.format(Locale.ROOT, "budget %.0f samples/min (--participant-sample-rate)", sampleBudget));
    report.figure("steady 429 answers", stats.throttled(), "calls", "");
    report.goal("zero mutating IVS calls at steady state", mutating + " mutating calls", mutating == 0);
    report.goal("ListStages within one page per 100 stages per resync", String.format(Locale.ROOT,
        "%.1f/min of %.0f/min allowed", listed, listBudget), listed <= listBudget * 1.05);
  }

  private static void burst(IvsEmulator emulator, Broadcasts broadcasts, List<String> names, Settings settings,
      BenchReport report, PrintStream progress) {
    emulator.stats().reset();
    int viewers = (int) Math.floor(settings.stagesEach() * VIEWERS_PER_STAGE * TARGET_FILL) + 1;
    Map<String, String> firstStage = new HashMap<>();
    for (String name : names) {
      firstStage.put(name, Broadcasts.status(broadcasts.get(name)).stagesOrEmpty().get(0).getId());
    }
    long start = System.nanoTime();
    for (String name : names) {
      broadcasts.reportAudience(name, "bench-audience", Map.of(firstStage.get(name), viewers), Instant.now());
    }
    long[] lastReport = {System.nanoTime()};
    Duration timeout = Duration.ofSeconds(120 + Math.round(3 * names.size() / CREATE_STAGE_QUOTA));
    long done = Waits.until(timeout, Duration.ofMillis(250), names.size() + " broadcasts scaling to "
        + (settings.stagesEach() + 1) + " stages", () -> {
          if (System.nanoTime() - lastReport[0] > 10_000_000_000L) {
            // audience reports go stale after 30 s: keep them fresh, as a gateway does
            for (String name : names) {
              broadcasts.reportAudience(name, "bench-audience", Map.of(firstStage.get(name), viewers),
                  Instant.now());
            }
            lastReport[0] = System.nanoTime();
          }
          return countAt(broadcasts, names, settings.stagesEach() + 1) == names.size();
        });
    double seconds = (done - start) / 1e9;
    double floor = names.size() / CREATE_STAGE_QUOTA;
    long throttled = emulator.stats().throttled();
    long created = emulator.stats().calls("CreateStage");
    progress.printf(Locale.ROOT, "burst: %d broadcasts scaled in %.1f s, %d CreateStage, %d throttled%n",
        names.size(), seconds, created, throttled);
    report.figure("burst: " + names.size() + " broadcasts +1 stage, all converged", seconds, "s", "");
    report.figure("burst convergence / IVS CreateStage floor", seconds / floor, "ratio",
        String.format(Locale.ROOT, "floor %.1f s = %d stages at 5/s", floor, names.size()));
    report.figure("burst CreateStage calls", created, "calls", names.size() + " needed");
    report.figure("burst 429 answers", throttled, "calls", "");
    report.goal(names.size() + " broadcasts scaling at once: no 429, all converge",
        throttled + " answered 429, " + names.size() + " of " + names.size() + " converged", throttled == 0);
  }

  /** Waits until every broadcast has {@code stages} Active stages; returns when that was seen. */
  private static long awaitStages(Broadcasts broadcasts, List<String> names, int stages, Duration timeout,
      PrintStream progress) {
    long[] lastPrint = {System.nanoTime()};
    return Waits.until(timeout, Duration.ofMillis(250), names.size() + " broadcasts reaching " + stages + " stages",
        () -> {
          int at = countAt(broadcasts, names, stages);
          if (System.nanoTime() - lastPrint[0] > 15_000_000_000L) {
            progress.printf(Locale.ROOT, "converging: %d of %d broadcasts at %d stages%n", at, names.size(), stages);
            lastPrint[0] = System.nanoTime();
          }
          return at == names.size();
        });
  }

  private static int countAt(Broadcasts broadcasts, List<String> names, int stages) {
    Set<String> wanted = Set.copyOf(names);
    int at = 0;
    for (LiveBroadcast broadcast : broadcasts.list()) {
      if (wanted.contains(broadcast.getMetadata().getName()) && Broadcasts.activeStages(broadcast) == stages) {
        at++;
      }
    }
    return at;
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
