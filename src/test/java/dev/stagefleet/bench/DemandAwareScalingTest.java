package dev.stagefleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator, the gateway, the embedded API server and the IVS emulator together: viewers who find every stage
 * full wait for a seat, the operator adds stages for them, and nobody is refused while a stage can be added.
 */
class DemandAwareScalingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static BenchStack stack;
  private static Broadcasts broadcasts;
  private static GatewayServer gateway;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    stack = BenchStack.start();
    stack.startOperator(s -> s);
    // the viewers here open no presence socket: their tokens must count for the whole test
    gateway = stack.startGateway(TokenMode.SELF_SIGNED, s -> s.toBuilder()
        .audienceReportInterval(Duration.ofSeconds(1)).audienceRefreshInterval(Duration.ofSeconds(10))
        .pendingViewerWindow(Duration.ofMinutes(10)).build());
    broadcasts = new Broadcasts(stack.client(), BenchStack.NAMESPACE);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void aBroadcastAtTargetFillOneGrowsForTheViewersWaitingAtItsFullStage() throws Exception {
    broadcasts.create("fill-one", 4, 1, 3, 1.0);
    awaitActiveStages("fill-one", 1);

    Storm storm = storm("fill-one", 12);

    assertThat(storm.refusals).as("answers other than 201/202: %s", storm.statuses).isEmpty();
    assertThat(storm.perStage).hasSize(3).allSatisfy((stage, n) -> assertThat(n).isEqualTo(4));
    assertThat(Broadcasts.status(broadcasts.get("fill-one")).getDesiredStages()).isEqualTo(3);
  }

  @Test
  void aStormOfHundredsIsPlacedWithoutRefusalsAndNoStageOverCapacity() throws Exception {
    broadcasts.create("storm", 50, 1, 10, 0.8);
    awaitActiveStages("storm", 1);

    Storm storm = storm("storm", 300);

    assertThat(storm.refusals).as("answers other than 201/202: %s", storm.statuses).isEmpty();
    assertThat(storm.perStage.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
    assertThat(storm.perStage.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(50));
    assertThat(storm.perStage).hasSizeGreaterThanOrEqualTo(6);
  }

  /** What a storm's viewers were answered. */
  private record Storm(Map<String, Integer> perStage, List<Integer> refusals, Map<Integer, Integer> statuses) {
  }

  /** {@code viewers} join at once, each as the viewer page does: held for a seat, asking again with its waitId. */
  private Storm storm(String name, int viewers) throws Exception {
    URI join = URI.create("http://127.0.0.1:" + gateway.port() + "/api/v1/namespaces/" + BenchStack.NAMESPACE
        + "/livebroadcasts/" + name + "/viewers");
    Map<String, Integer> perStage = new TreeMap<>();
    List<Integer> refusals = new ArrayList<>();
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    AtomicInteger placed = new AtomicInteger();
    List<CompletableFuture<String>> seats = new ArrayList<>();
    for (int i = 0; i < viewers; i++) {
      seats.add(seat(join, null, statuses));
    }
    for (CompletableFuture<String> seat : seats) {
      String stage = seat.get(120, TimeUnit.SECONDS);
      placed.incrementAndGet();
      perStage.merge(stage, 1, Integer::sum);
    }
    statuses.forEach((status, n) -> {
      if (status != 201 && status != 202) {
        refusals.add(status);
      }
    });
    assertThat(placed.get()).isEqualTo(viewers);
    return new Storm(perStage, refusals, statuses);
  }

  /** One viewer's seat: the stage id of its 201, asking again after each 202; any other answer fails it. */
  private CompletableFuture<String> seat(URI join, String waitId, Map<Integer, Integer> statuses) {
    String body = waitId == null ? "{}" : "{\"waitId\":\"" + waitId + "\"}";
    HttpRequest request = HttpRequest.newBuilder(join).timeout(Duration.ofSeconds(40))
        .header("Content-Type", "application/json").header("Prefer", "wait=20")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(response -> {
      statuses.merge(response.statusCode(), 1, Integer::sum);
      try {
        JsonNode answer = JSON.readTree(response.body());
        if (response.statusCode() == 201) {
          return CompletableFuture.completedFuture(answer.path("stageId").asText());
        }
        if (response.statusCode() == 202) {
          return seat(join, answer.path("waitId").asText(), statuses);
        }
        return CompletableFuture.failedFuture(new AssertionError("refused: " + response.statusCode() + " "
            + response.body()));
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    });
  }

  private static void awaitActiveStages(String name, long count) {
    Waits.until(Duration.ofSeconds(60), Duration.ofMillis(50), name + "'s first stage",
        () -> Broadcasts.activeStages(broadcasts.get(name)) == count);
    JoinStormBench.awaitGatewaySeesAStage(gateway.port(), name);
  }
}
