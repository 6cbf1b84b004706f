package dev.stagefleet.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.TokenMinter.MintedToken;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON the gateway writes: socket messages {@code {"type": ..., "data": {...}}} and API bodies. */
final class SocketMessages {
  static final ObjectMapper JSON = JsonMapper.builder()
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  private SocketMessages() {
  }

  static String message(String type, Object data) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", type);
    message.put("data", data);
    try {
      return JSON.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a " + type + " message", e);
    }
  }

  /** A stage event's data: the stage, when, and (for stage_created) a token for it. */
  static Map<String, Object> stageData(StageStatus stage, Instant timestamp, MintedToken token) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("stageArn", stage.getArn());
    data.put("stageId", stage.getId());
    data.put("state", stage.getState());
    if (stage.getViewers() != null) {
      data.put("viewers", stage.getViewers());
    }
    // a stage fed by IVS replication needs no upload from the broadcaster; any other one does (a stage the operator
    // has not assigned yet too, so none is ever dark); its PUBLISH token is still sent, for when it becomes an origin
    boolean replica = !publishes(stage);
    data.put("publish", !replica);
    data.put("feed", replica ? StageStatus.REPLICA : StageStatus.ORIGIN);
    if (replica) {
      data.put("source", stage.getSource());
    }
    data.put("timestamp", timestamp.toString());
    if (token != null) {
      data.put("token", token.token());
      data.put("participantId", token.participantId());
      data.put("expiresAt", token.expiresAt().toString());
    }
    return data;
  }

  /** Whether the broadcaster publishes into the stage itself: every stage but a replica fed from an origin. */
  static boolean publishes(StageStatus stage) {
    return !(StageStatus.REPLICA.equals(stage.getFeed()) && stage.getSource() != null);
  }

  static String snapshot(List<Map<String, Object>> stages, Instant timestamp) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("stages", stages);
    data.put("timestamp", timestamp.toString());
    return message("snapshot", data);
  }

  static String heartbeat(Instant timestamp) {
    return message("heartbeat", Map.of("timestamp", timestamp.toString()));
  }

  static String ended(Instant timestamp) {
    return message("ended", Map.of("timestamp", timestamp.toString()));
  }
}
