package dev.stagefleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.emulator.EmulatedParticipant;
import dev.stagefleet.emulator.IvsEmulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Plays the broadcaster page against the gateway and the IVS emulator, by the page's rules
 * (web-frontend/src/js/reconcile.js {@code feedStep}): publishes into every stage the events socket says to publish
 * into, with the PUBLISH token it sent (or a fresh one), only shows the stages IVS replication feeds, and leaves a stage
 * it publishes into that became a replica once the hand-over time has passed with its source published. Single
 * threaded: {@link #pump()} reads the socket's new messages and acts; callers pump while they poll.
 */
final class BroadcasterPage implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final class Stage {
    final String arn;
    String id;
    boolean publish = true;
    String source;
    long replicaSince;
    String offeredToken;
    String participantId;
    long publishingSince;
    long createdAt;

    Stage(String arn) {
      this.arn = arn;
    }
  }

  private final BroadcasterSocket socket;
  private final IvsEmulator emulator;
  private final HttpClient http;
  private final String tokenUri;
  private final String apiKey;
  private final long handoverNanos;
  private final Map<String, Stage> stages = new LinkedHashMap<>();
  private int read;
  private int joins;
  private int peak;

  private BroadcasterPage(BroadcasterSocket socket, IvsEmulator emulator, HttpClient http, String tokenUri,
      String apiKey, Duration handover) {
    this.socket = socket;
    this.emulator = emulator;
    this.http = http;
    this.tokenUri = tokenUri;
    this.apiKey = apiKey;
    this.handoverNanos = handover.toNanos();
  }

  /** Opens the events socket of {@code namespace/name} and waits for its snapshot. */
  static BroadcasterPage open(HttpClient http, int gatewayPort, IvsEmulator emulator, String namespace, String name,
      String apiKey, Duration handover) throws IOException, InterruptedException {
    BroadcasterSocket socket = BroadcasterSocket.connect(http, gatewayPort, namespace, name, apiKey);
    socket.await(0, Duration.ofSeconds(10), "the snapshot", m -> m.type().equals("snapshot"));
    BroadcasterPage page = new BroadcasterPage(socket, emulator, http, "http://127.0.0.1:" + gatewayPort
        + "/api/v1/namespaces/" + namespace + "/livebroadcasts/" + name + "/stage-token", apiKey, handover);
    page.pump();
    return page;
  }

  /**
   * Reads what the gateway sent since the last pump and, after each message as the page does, joins, leaves or holds
   * each stage; then looks at the hand-overs again.
   */
  void pump() {
    while (read < socket.size()) {
      handle(socket.message(read++));
      stepAll();
    }
    stepAll();
  }

  private void stepAll() {
    long now = System.nanoTime();
    for (Stage stage : stages.values()) {
      step(stage, now);
    }
    peak = Math.max(peak, publishing());
  }

  /** Stages the page publishes into now (uploads). */
  int publishing() {
    return (int) stages.values().stream().filter(s -> s.participantId != null).count();
  }

  /** The most stages published into at once since the last {@link #resetPeak()}. */
  int peak() {
    return peak;
  }

  void resetPeak() {
    peak = publishing();
  }

  /** Joins made so far. */
  int joins() {
    return joins;
  }

  boolean publishesInto(String stageArn) {
    Stage stage = stages.get(stageArn);
    return stage != null && stage.participantId != null;
  }

  /** When the gateway first told the page of the stage (stage_created or a snapshot), as {@link System#nanoTime()}. */
  long toldAt(String stageArn) {
    Stage stage = stages.get(stageArn);
    return stage == null ? 0 : stage.createdAt;
  }

  /**
   * Whether a replica of the broadcaster (a publishing participant that is not the page's own connection to that
   * stage) is in the stage, as viewers there would see it.
   */
  boolean replicaIn(String stageArn, String userId) {
    Stage stage = stages.get(stageArn);
    String own = stage == null ? null : stage.participantId;
    for (EmulatedParticipant p : emulator.participants(stageArn)) {
      if (p.publishing() && userId.equals(p.userId()) && !p.participantId().equals(own)) {
        return true;
      }
    }
    return false;
  }

  private void handle(BroadcasterSocket.Message message) {
    switch (message.type()) {
      case "snapshot" -> {
        Set<String> listed = new HashSet<>();
        for (JsonNode stage : message.data().path("stages")) {
          listed.add(stage.path("stageArn").asText());
          offer(stage, message.receivedAt());
        }
        for (Stage stage : Set.copyOf(stages.values())) {
          if (!listed.contains(stage.arn)) {
            remove(stage.arn);
          }
        }
      }
      case "stage_created", "stage_feed" -> offer(message.data(), message.receivedAt());
      case "stage_deleted" -> remove(message.data().path("stageArn").asText());
      default -> {
      }
    }
  }

  private void offer(JsonNode data, long at) {
    String arn = data.path("stageArn").asText();
    Stage stage = stages.computeIfAbsent(arn, Stage::new);
    if (stage.createdAt == 0) {
      stage.createdAt = at;
    }
    stage.id = data.path("stageId").asText(arn.substring(arn.lastIndexOf('/') + 1));
    String source = data.path("source").isTextual() ? data.path("source").asText() : null;
    boolean publish = !(data.path("publish").isBoolean() && !data.path("publish").asBoolean() && source != null);
    if (!publish && (stage.publish || !Objects.equals(stage.source, source))) {
      stage.replicaSince = at;
    }
    stage.publish = publish;
    stage.source = publish ? null : source;
    if (data.path("token").isTextual() && stage.participantId == null) {
      stage.offeredToken = data.path("token").asText();
    }
  }

  private void step(Stage stage, long now) {
    if (stage.publish && stage.participantId == null) {
      join(stage);
    } else if (!stage.publish && stage.participantId != null) {
      Stage source = stages.values().stream().filter(s -> s.id.equals(stage.source)).findFirst().orElse(null);
      if (source != null && source.participantId != null
          && now - Math.max(stage.replicaSince, source.publishingSince) >= handoverNanos) {
        emulator.leave(stage.arn, stage.participantId);
        stage.participantId = null;
      }
    }
  }

  private void join(Stage stage) {
    String token = stage.offeredToken != null ? stage.offeredToken : freshToken(stage.arn);
    stage.offeredToken = null;
    EmulatedParticipant participant = emulator.join(token, true, stage.arn);
    stage.participantId = participant.participantId();
    stage.publishingSince = System.nanoTime();
    joins++;
  }

  private void remove(String arn) {
    Stage stage = stages.remove(arn);
    if (stage != null && stage.participantId != null) {
      emulator.leave(arn, stage.participantId);
    }
  }

  private String freshToken(String stageArn) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(tokenUri))
          .header("x-api-key", apiKey).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("stageArn", stageArn).toString()))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("the gateway refused a stage token: " + response.statusCode() + " "
            + response.body());
      }
      return JSON.readTree(response.body()).path("token").asText();
    } catch (IOException e) {
      throw new IllegalStateException("asking the gateway for a stage token failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  @Override
  public void close() {
    for (String arn : Set.copyOf(stages.keySet())) {
      remove(arn);
    }
    socket.close();
  }
}
