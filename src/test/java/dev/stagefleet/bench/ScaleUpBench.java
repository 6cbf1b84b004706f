package dev.stagefleet.bench;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Scenario 2: scale-up latency, from the moment the audience crosses the threshold (a gateway-style merge patch of
 * {@code status.audience}) to the broadcaster's events socket receiving {@code stage_created} with a token, once per
 * emulated CreateStage latency. The yardsticks, in the same run: the goal's budget (1 s + CreateStage latency) and a
 * direct CreateStage call against the same emulator.
 */
public final class ScaleUpBench {

  /**
   * Sizes of a run.
   *
   * @param samples             threshold crossings per CreateStage latency (each adds one stage)
   * @param createStageLatencies emulated CreateStage latencies to measure with
   */
  public record Settings(int samples, List<Duration> createStageLatencies) {
    public Settings {
      if (samples < 1) {
        throw new IllegalArgumentException("samples must be at least 1");
      }
      createStageLatencies = List.copyOf(createStageLatencies);
      if (createStageLatencies.isEmpty()) {
        throw new IllegalArgumentException("at least one CreateStage latency is needed");
      }
    }
  }

  static final int VIEWERS_PER_STAGE = 10;
  static final double TARGET_FILL = 0.8;
  static final String AUDIENCE_REPLICA = "bench-audience";
  /**
   * Time between crossings, and between the direct CreateStage calls of the yardstick: longer than the interval of
   * IVS's 5/s CreateStage quota, so a sample measures the path from audience to stage, not the quota (crossings sent
   * back to back would run into it whatever the path costs).
   */
  static final Duration PACE = Duration.ofMillis(300);

  private ScaleUpBench() {
  }

  public static BenchReport run(Settings settings, PrintStream progress) {
    BenchReport report = new BenchReport("2. scale-up latency", Instant.now())
        .parameter("samples", settings.samples()).parameter("createStageLatencies", settings.createStageLatencies())
        .parameter("viewersPerStage", VIEWERS_PER_STAGE).parameter("targetFill", TARGET_FILL)
        .parameter("pace", PACE.toMillis() + " ms");
    try (BenchStack stack = BenchStack.start()) {
      stack.startOperator(UnaryOperator.identity());
      GatewayServer gateway = stack.startGateway(TokenMode.SELF_SIGNED, UnaryOperator.identity());
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      Broadcasts broadcasts = new Broadcasts(stack.client(), BenchStack.NAMESPACE);
      for (Duration latency : settings.createStageLatencies()) {
        measure(stack, gateway, http, broadcasts, latency, settings.samples(), report, progress);
      }
    } catch (IOException e) {
      throw new IllegalStateException("talking to the gateway failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
    return report;
  }

  private static void measure(BenchStack stack, GatewayServer gateway, HttpClient http, Broadcasts broadcasts,
      Duration createStageLatency, int samples, BenchReport report, PrintStream progress)
      throws IOException, InterruptedException {
    IvsEmulator emulator = stack.emulator();
    emulator.faults().operationLatency("CreateStage", createStageLatency);
    String label = createStageLatency.toMillis() + " ms";
    String name = "scale-" + createStageLatency.toMillis();
    broadcasts.create(name, VIEWERS_PER_STAGE, 1, samples + 1, TARGET_FILL);
    Waits.until(Duration.ofSeconds(60), Duration.ofMillis(20), name + " having its first stage",
        () -> Broadcasts.activeStages(broadcasts.get(name)) == 1);
    String firstStage = Broadcasts.status(broadcasts.get(name)).stagesOrEmpty().get(0).getId();

    List<Long> latencies = new ArrayList<>();
    int tokensAccepted = 0;
    try (BroadcasterSocket socket = BroadcasterSocket.connect(http, gateway.port(), BenchStack.NAMESPACE, name,
        Broadcasts.apiKey(name))) {
      socket.await(0, Duration.ofSeconds(10), "the snapshot", m -> m.type().equals("snapshot"));
      Duration timeout = Duration.ofSeconds(30).plus(createStageLatency.multipliedBy(3));
      for (int k = 1; k <= samples; k++) {
        int viewers = (int) Math.floor(k * VIEWERS_PER_STAGE * TARGET_FILL) + 1;
        Thread.sleep(PACE.toMillis());
        long crossed = System.nanoTime();
        broadcasts.reportAudience(name, AUDIENCE_REPLICA, Map.of(firstStage, viewers), Instant.now());
        BroadcasterSocket.Message created = socket.await(crossed, timeout, "stage_created after " + viewers
            + " viewers", m -> m.type().equals("stage_created") && !m.data().path("token").asText().isEmpty());
        latencies.add(created.receivedAt() - crossed);
        // the token must be one IVS accepts for that stage (checked outside the timing)
        if (emulator.join(created.data().path("token").asText(), true).stageArn()
            .equals(created.data().path("stageArn").asText())) {
          tokensAccepted++;
        }
        int stages = k + 1;
        Waits.until(timeout, Duration.ofMillis(20), name + " recording " + stages + " stages",
            () -> Broadcasts.activeStages(broadcasts.get(name)) == stages);
        progress.printf(Locale.ROOT, "CreateStage %s: crossing %d (%d viewers) -> stage_created after %.0f ms%n",
            label, k, viewers, latencies.get(latencies.size() - 1) / 1e6);
      }
      // CreateStage alone against the same emulator: the floor under every sample above
      List<Long> direct = new ArrayList<>();
      for (int i = 0; i < Math.min(samples, 5); i++) {
        // paced as the crossings are, so the client's CreateStage limiter (shared with the operator) has a permit ready
        Thread.sleep(PACE.toMillis());
        long start = System.nanoTime();
        stack.ivs().createStage("bench-direct-" + i, Map.of("stagefleet.dev/managed-by", "bench"));
        direct.add(System.nanoTime() - start);
      }
      Latencies measured = Latencies.of(latencies.stream().mapToLong(Long::longValue).toArray(), latencies.size());
      Latencies floor = Latencies.of(direct.stream().mapToLong(Long::longValue).toArray(), direct.size());
      double budgetMs = 1000 + createStageLatency.toMillis();
      double maxMs = Latencies.millis(measured.max());
      report.figure("scale-up, CreateStage " + label + ", p50", Latencies.millis(measured.median()), "ms",
          samples + " crossings");
      report.figure("scale-up, CreateStage " + label + ", max", maxMs, "ms", samples + " crossings");
      report.figure("direct CreateStage call, " + label + ", p50", Latencies.millis(floor.median()), "ms",
          direct.size() + " calls, same emulator");
      report.figure("scale-up p50 / direct CreateStage p50, " + label,
          Latencies.millis(measured.median()) / Latencies.millis(floor.median()), "ratio", "");
      report.figure("scale-up max / budget (1 s + " + label + ")", maxMs / budgetMs, "ratio", "goal: < 1");
      report.figure("tokens accepted by the emulator, " + label, tokensAccepted, "of " + samples,
          "broadcaster joined each new stage with the token it was sent");
      report.goal("scale-up < 1 s + CreateStage latency (" + label + "), every crossing",
          String.format(Locale.ROOT, "max %.0f ms of %.0f ms", maxMs, budgetMs),
          maxMs < budgetMs && tokensAccepted == samples);
      LiveBroadcast last = broadcasts.get(name);
      if (Broadcasts.activeStages(last) != samples + 1) {
        report.note("broadcast " + name + " ended with " + Broadcasts.activeStages(last) + " stages, expected "
            + (samples + 1));
      }
    } finally {
      emulator.faults().operationLatency("CreateStage", Duration.ZERO);
    }
  }
}
