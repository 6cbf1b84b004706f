package dev.stagefleet.bench;

import dev.stagefleet.cli.StageFleetCommand;
import dev.stagefleet.cli.UserFacingException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark harness's command line, outside the product: runs one scenario in this process and prints its figures.
 * Run it with {@code ./mvnw -q -Pbench -Dbench="<scenario> [flags]"} (docs/benchmarks.md).
 */
@Command(name = "stagefleet-bench", mixinStandardHelpOptions = true,
    description = {"Runs a benchmark scenario in this process (embedded Kubernetes API, IVS emulator, operator, "
        + "gateway) and prints a table of figures, each against a yardstick measured in the same run.",
        "Results of a reference run and how to read them: docs/benchmarks.md."},
    subcommands = {BenchMain.Joins.class, BenchMain.ScaleUp.class, BenchMain.IvsEconomy.class,
        BenchMain.Footprint.class, BenchMain.JoinStorm.class, BenchMain.FanOutScenario.class,
        BenchMain.Replicas.class,
        CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, with the product's one-line error handling. */
  static CommandLine commandLine() {
    return StageFleetCommand.withErrorHandling(new CommandLine(new BenchMain()));
  }

  /** Options every scenario has. */
  static final class Common {
    @Option(names = "--markdown", description = "Also print the figures as a Markdown table.")
    boolean markdown;
  }

  static void quietLogs() {
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "error");
    setIfAbsent("org.slf4j.simpleLogger.log.io.javalin", "off");
    setIfAbsent("org.slf4j.simpleLogger.log.io.fabric8", "error");
    setIfAbsent("org.slf4j.simpleLogger.log.io.javaoperatorsdk", "error");
    // the mock API server logs through java.util.logging
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  static int print(BenchReport report, Common common, PrintStream out) {
    report.print(out);
    if (common.markdown) {
      out.println();
      out.println(report.markdown());
    }
    return 0;
  }

  static Duration seconds(double seconds, String flag) {
    if (!(seconds > 0)) {
      throw new UserFacingException(flag + " must be positive, got " + seconds);
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  static void positive(int value, String flag) {
    if (value < 1) {
      throw new UserFacingException(flag + " must be at least 1, got " + value);
    }
  }

  @Command(name = "joins", mixinStandardHelpOptions = true,
      description = {"Scenario 1: viewer joins/s through the gateway vs (a) raw ES384 signing and (b) a bare Javalin "
          + "endpoint, same run; median and p99 latency; tokens through the IVS API against the emulator (50/s)."})
  static final class Joins implements Callable<Integer> {
    @CommandLine.Mixin
    Common common = new Common();

    @Option(names = "--duration", defaultValue = "10",
        description = "Seconds per measurement (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--warmup", defaultValue = "3",
        description = "Seconds of warm-up per target (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--rounds", defaultValue = "3",
        description = "Interleaved rounds; ratios are their median (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--in-flight", defaultValue = "64",
        description = "Requests outstanding at most (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--signing-threads", description = "Threads for yardstick (a) (default: the number of cores).")
    Integer signingThreads;

    @Option(names = "--latency-load", defaultValue = "0.5",
        description = "Latency is measured at this fraction of the gateway's saturation joins/s "
            + "(default: ${DEFAULT-VALUE}).")
    double latencyLoad;

    @Option(names = "--api-rate", defaultValue = "100",
        description = "Joins/s offered in IVS API token mode; IVS allows 50 (default: ${DEFAULT-VALUE}).")
    double apiRate;

    @Option(names = "--api-duration", defaultValue = "10",
        description = "Seconds of the API-mode measurement (default: ${DEFAULT-VALUE}).")
    double apiDuration;

    @Option(names = "--stages", defaultValue = "10",
        description = "Stages of the broadcast joined at least (10,000 viewers each; more when the offered load needs "
            + "them) (default: ${DEFAULT-VALUE}).")
    int stages;

    @Option(names = "--profile", paramLabel = "FILE", description = "Also record a JFR profile of one more "
        + "saturation of the gateway into FILE and report where its request threads spend their samples.")
    java.nio.file.Path profile;

    @Override
    public Integer call() {
      quietLogs();
      positive(rounds, "--rounds");
      positive(stages, "--stages");
      if (profile != null && !java.nio.file.Files.isDirectory(profile.toAbsolutePath().getParent())) {
        throw new UserFacingException("--profile " + profile + ": the folder it is to be written in does not exist");
      }
      positive(inFlight, "--in-flight");
      int threads = signingThreads == null ? Runtime.getRuntime().availableProcessors() : signingThreads;
      positive(threads, "--signing-threads");
      if (!(latencyLoad > 0 && latencyLoad <= 1)) {
        throw new UserFacingException("--latency-load must be in (0, 1], got " + latencyLoad);
      }
      if (!(apiRate > 0)) {
        throw new UserFacingException("--api-rate must be positive, got " + apiRate);
      }
      var settings = new JoinsBench.Settings(seconds(duration, "--duration"), seconds(warmup, "--warmup"), rounds,
          inFlight, threads, latencyLoad, apiRate, seconds(apiDuration, "--api-duration"), stages, profile);
      return print(JoinsBench.run(settings, System.err), common, System.out);
    }
  }

  @Command(name = "scale-up", mixinStandardHelpOptions = true,
      description = {"Scenario 2: from the audience crossing the threshold (a gateway-style status.audience patch) to "
          + "the broadcaster's socket receiving stage_created with a token, per emulated CreateStage latency."})
  static final class ScaleUp implements Callable<Integer> {
    @CommandLine.Mixin
    Common common = new Common();

    @Option(names = "--samples", defaultValue = "10",
        description = "Threshold crossings per CreateStage latency (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--create-stage-latency-ms", split = ",", defaultValue = "0,300",
        description = "Emulated CreateStage latencies in ms, comma-separated (default: ${DEFAULT-VALUE}).")
    java.util.List<Long> latenciesMs;

    @Override
    public Integer call() {
      quietLogs();
      positive(samples, "--samples");
      java.util.List<Duration> latencies = new java.util.ArrayList<>();
      for (long ms : latenciesMs) {
        if (ms < 0) {
          throw new UserFacingException("--create-stage-latency-ms must not be negative, got " + ms);
        }
        latencies.add(Duration.ofMillis(ms));
      }
      return print(ScaleUpBench.run(new ScaleUpBench.Settings(samples, latencies), System.err), common, System.out);
    }
  }

  @Command(name = "ivs-economy", mixinStandardHelpOptions = true,
      description = {"Scenario 3: N broadcasts x M stages at steady state for T minutes: IVS calls per minute by "
          + "operation (goal: no mutating call, ListStages within one page per 100 stages per refresh); then K "
          + "broadcasts scale up at once (goal: no 429, all converge)."})
  static final class IvsEconomy implements Callable<Integer> {
    @CommandLine.Mixin
    Common common = new Common();

    @Option(names = "--broadcasts", defaultValue = "100",
        description = "N, LiveBroadcasts (default: ${DEFAULT-VALUE}).")
    int broadcasts;

    @Option(names = "--stages", defaultValue = "10", description = "M, stages each (default: ${DEFAULT-VALUE}).")
    int stages;

    @Option(names = "--minutes", defaultValue = "5",
        description = "T, minutes at steady state (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--scaling", description = "K, broadcasts scaling up at once afterwards (default: N).")
    Integer scaling;

    @Override
    public Integer call() {
      quietLogs();
      positive(broadcasts, "--broadcasts");
      positive(stages, "--stages");
      int k = scaling == null ? broadcasts : scaling;
      if (k < 0 || k > broadcasts) {
        throw new UserFacingException("--scaling must be between 0 and --broadcasts (" + broadcasts + "), got " + k);
      }
      var settings = new IvsEconomyBench.Settings(broadcasts, stages, seconds(minutes * 60, "--minutes"), k);
      return print(IvsEconomyBench.run(settings, System.err), common, System.out);
    }
  }

  @Command(name = "footprint", mixinStandardHelpOptions = true,
      description = {"Scenario 4: one operator (in its own JVM) with N LiveBroadcasts: resident memory and heap "
          + "against the same operator with none, convergence time, and reconcile throughput after a restart."})
  static final class Footprint implements Callable<Integer> {
    @CommandLine.Mixin
    Common common = new Common();

    @Option(names = "--broadcasts", defaultValue = "1000", description = "LiveBroadcasts (default: ${DEFAULT-VALUE}).")
    int broadcasts;

    @Option(names = "--operator-heap", defaultValue = "512m",
        description = "The operator JVM's -Xmx, as a container would set it (default: ${DEFAULT-VALUE}).")
    String heap;

    @Override
    public Integer call() {
      quietLogs();
      positive(broadcasts, "--broadcasts");
      FootprintBench.Settings settings;
      try {
        settings = new FootprintBench.Settings(broadcasts, heap);
      } catch (IllegalArgumentException e) {
        throw new UserFacingException("--operator-heap: " + e.getMessage());
      }
      return print(FootprintBench.run(settings, System.err), common, System.out);
    }
  }

  @Command(name = "join-storm", mixinStandardHelpOptions = true,
      description = {"Scenario 5: V viewers join over T seconds through the gateway while the operator adds stages; "
          + "no stage may go over capacity; time until all are placed (503s retried after Retry-After)."})
  static final class JoinStorm implements Callable<Integer> {
    @CommandLine.Mixin
    Common common = new Common();

    @Option(names = "--viewers", defaultValue = "10000",
        description = "V, viewers arriving (default: ${DEFAULT-VALUE}).")
    int viewers;

    @Option(names = "--seconds", defaultValue = "10",
        description = "T, the arrival window in seconds (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--viewers-per-stage", defaultValue = "500",
        description = "The broadcast's viewersPerStage (default: ${DEFAULT-VALUE}).")
    int viewersPerStage;

    @Option(names = "--connections", defaultValue = "1024",
        description = "Load generator connections; a held join keeps one busy (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--give-up-seconds", defaultValue = "180",
        description = "Stop waiting for stragglers after this long (default: ${DEFAULT-VALUE}).")
    double giveUp;

    @Option(names = "--target-fill", defaultValue = "0.8",
        description = "The broadcast's spec.scaling.targetFill, above 0 and at most 1 (default: ${DEFAULT-VALUE}).")
    double targetFill;

    @Option(names = "--max-retry-wait-seconds", defaultValue = "60",
        description = "Viewers wait Retry-After before retrying, but at most this long (default: ${DEFAULT-VALUE}).")
    double maxRetryWait;

    @Option(names = "--warm-up-joins", defaultValue = "0",
        description = "Joins on another broadcast before the storm, at most 10000 (default: ${DEFAULT-VALUE}: the "
            + "storm meets a gateway that has served no one but its own start-up warm-up).")
    int warmUpJoins;

    @Option(names = "--gateway-warm-up-joins",
        description = "The gateway's own start-up warm-up, as its --warm-up-joins (default: the gateway's, "
            + "${DEFAULT-VALUE}; 0: the storm meets a gateway whose join path the JIT has not compiled yet).")
    int gatewayWarmUpJoins = dev.stagefleet.gateway.GatewaySettings.defaults().warmUpJoins();

    @Override
    public Integer call() {
      quietLogs();
      positive(viewers, "--viewers");
      if (warmUpJoins < 0 || warmUpJoins > JoinStormBench.WARM_UP_SEATS) {
        throw new UserFacingException("--warm-up-joins must be between 0 and " + JoinStormBench.WARM_UP_SEATS);
      }
      if (gatewayWarmUpJoins < 0 || gatewayWarmUpJoins > dev.stagefleet.gateway.GatewaySettings.MAX_WARM_UP_JOINS) {
        throw new UserFacingException("--gateway-warm-up-joins must be between 0 and "
            + dev.stagefleet.gateway.GatewaySettings.MAX_WARM_UP_JOINS);
      }
      positive(viewersPerStage, "--viewers-per-stage");
      positive(connections, "--connections");
      if (viewersPerStage > 10_000) {
        throw new UserFacingException("--viewers-per-stage must be at most 10000 (IVS's subscribers per stage)");
      }
      var settings = new JoinStormBench.Settings(viewers, seconds(seconds, "--seconds"), viewersPerStage,
          connections, seconds(giveUp, "--give-up-seconds"), seconds(maxRetryWait, "--max-retry-wait-seconds"),
          targetFill, warmUpJoins, gatewayWarmUpJoins);
      return print(JoinStormBench.run(settings, System.err), common, System.out);
    }
  }

  @Command(name = "fan-out", mixinStandardHelpOptions = true,
      description = {"Scenario 6: one broadcast grows from 1 to N stages, direct then replicated, while a simulated "
          + "broadcaster page publishes: stages published into per N (goal: at most ceil(N / 6), against N direct), "
          + "new stage to its replica, IVS calls per scale event and at steady state (goal: no mutating call), 429s."})
  static final class FanOutScenario implements Callable<Integer> {
    @CommandLine.Mixin
    Common common = new Common();

    @Option(names = "--stages", defaultValue = "30", description = "N, the most stages (default: ${DEFAULT-VALUE}).")
    int stages;

    @Option(names = "--handover-seconds", defaultValue = "10",
        description = "How long the page keeps publishing into a stage that became a replica; the page's is 10 s "
            + "(default: ${DEFAULT-VALUE}).")
    double handover;

    @Option(names = "--steady-seconds", defaultValue = "60",
        description = "Seconds of counting calls at N stages with nothing changing (default: ${DEFAULT-VALUE}).")
    double steady;

    @Override
    public Integer call() {
      quietLogs();
      positive(stages, "--stages");
      if (!(handover >= 0)) {
        throw new UserFacingException("--handover-seconds must not be negative, got " + handover);
      }
      var settings = new FanOutBench.Settings(stages, Duration.ofMillis(Math.round(handover * 1000)),
          seconds(steady, "--steady-seconds"));
      return print(FanOutBench.run(settings, System.err), common, System.out);
    }
  }

  @Command(name = "replicas", mixinStandardHelpOptions = true,
      description = {"Scenario 7: a burst of joins round-robin across 1, 2 and 3 gateway replicas on one API server "
          + "(joins/s, fullest stage / capacity), then one of 3 replicas lost without a shutdown (the audience count "
          + "error while its viewers reconnect to another replica, and whether any switches stage), then viewers held "
          + "for a seat asking again on the next replica each time (the waiting count error)."})
  static final class Replicas implements Callable<Integer> {
    @CommandLine.Mixin
    Common common = new Common();

    @Option(names = "--joins", defaultValue = "400", description = "Joins per burst (default: ${DEFAULT-VALUE}).")
    int joins;

    @Option(names = "--viewers-per-stage", defaultValue = "50",
        description = "The broadcast's viewersPerStage (default: ${DEFAULT-VALUE}).")
    int viewersPerStage;

    @Option(names = "--stages", defaultValue = "4",
        description = "Active stages, also maxStages (default: ${DEFAULT-VALUE}).")
    int stages;

    @Option(names = "--threads", defaultValue = "48",
        description = "Client threads sending joins (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--loss-viewers", defaultValue = "150",
        description = "Viewers watching when a replica is lost (default: ${DEFAULT-VALUE}).")
    int lossViewers;

    @Option(names = "--loss-window", defaultValue = "5",
        description = "Seconds the audience is sampled after the loss, and the waiting (default: ${DEFAULT-VALUE}).")
    double lossWindow;

    @Option(names = "--waiters", defaultValue = "150",
        description = "Viewers held for a seat, each asking again on the next replica (default: ${DEFAULT-VALUE}).")
    int waiters;

    @Override
    public Integer call() {
      quietLogs();
      positive(joins, "--joins");
      positive(viewersPerStage, "--viewers-per-stage");
      positive(stages, "--stages");
      positive(threads, "--threads");
      positive(lossViewers, "--loss-viewers");
      positive(waiters, "--waiters");
      var settings = new ReplicasBench.Settings(joins, viewersPerStage, stages, threads, lossViewers,
          seconds(lossWindow, "--loss-window"), waiters);
      return print(ReplicasBench.run(settings, System.err), common, System.out);
    }
  }
}
