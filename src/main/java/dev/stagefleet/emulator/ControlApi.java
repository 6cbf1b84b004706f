package dev.stagefleet.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/** The emulator's own HTTP API under {@code /_emulator} (documented on {@link IvsEmulator}). */
final class ControlApi {
  private final IvsEmulator emulator;
  private final ObjectMapper json;

  ControlApi(IvsEmulator emulator, ObjectMapper json) {
    this.emulator = emulator;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    String p = IvsEmulator.CONTROL_PREFIX;
    routes.get(p, ctx -> ok(ctx, json.createObjectNode().put("endpoint", emulator.endpoint().toString())
        .put("region", emulator.region()).put("accountId", emulator.accountId())));
    routes.post(p + "/join", this::join);
    routes.post(p + "/leave", ctx -> {
      JsonNode body = body(ctx);
      boolean left = emulator.leave(requiredText(body, "stageArn"), requiredText(body, "participantId"));
      ok(ctx, json.createObjectNode().put("left", left));
    });
    routes.post(p + "/publish", ctx -> {
      JsonNode body = body(ctx);
      JsonNode publishing = body.get("publishing");
      if (publishing == null || !publishing.isBoolean()) {
        throw new BadRequest("'publishing' must be true or false");
      }
      ok(ctx, participant(emulator.publish(requiredText(body, "stageArn"), requiredText(body, "participantId"),
          publishing.asBoolean())));
    });
    routes.get(p + "/participants", ctx -> {
      String stageArn = ctx.queryParam("stageArn");
      if (stageArn == null || stageArn.isBlank()) {
        throw new BadRequest("query parameter 'stageArn' is required");
      }
      ObjectNode response = json.createObjectNode();
      ArrayNode participants = response.putArray("participants");
      emulator.participants(stageArn).forEach(participant -> participants.add(participant(participant)));
      ok(ctx, response);
    });
    routes.get(p + "/stages", ctx -> {
      ObjectNode response = json.createObjectNode();
      ArrayNode stages = response.putArray("stages");
      emulator.stages().forEach(stages::add);
      ok(ctx, response);
    });
    routes.get(p + "/stats", ctx -> ok(ctx, stats()));
    routes.delete(p + "/stats", ctx -> {
      emulator.stats().reset();
      ok(ctx, stats());
    });
    routes.get(p + "/faults", ctx -> ok(ctx, faults()));
    routes.post(p + "/faults", ctx -> {
      applyFaults(body(ctx));
      ok(ctx, faults());
    });
    routes.delete(p + "/faults", ctx -> {
      emulator.faults().clear();
      ok(ctx, faults());
    });
    routes.get(p + "/quotas", ctx -> ok(ctx, quotas()));
    routes.post(p + "/quotas", ctx -> {
      applyQuotas(body(ctx));
      ok(ctx, quotas());
    });
    routes.post(p + "/reset", ctx -> {
      emulator.reset();
      ok(ctx, json.createObjectNode().put("reset", true));
    });
    routes.exception(BadRequest.class, (e, ctx) -> error(ctx, json, 400, "bad_request", e.getMessage()));
    // ParticipantRejectedException is an IllegalArgumentException; IVS routes report their own errors
    routes.exception(IllegalArgumentException.class, (e, ctx) -> {
      if (!ctx.path().startsWith(IvsEmulator.CONTROL_PREFIX)) {
        IvsEmulator.ivsError(ctx, json, IvsError.internal("The emulator failed: " + e));
      } else if (e instanceof ParticipantRejectedException rejected) {
        error(ctx, json, rejected.reason().httpStatus(), rejected.reason().name(), rejected.getMessage());
      } else {
        error(ctx, json, 400, "bad_request", e.getMessage());
      }
    });
  }

  private void join(Context ctx) {
    JsonNode body = body(ctx);
    String token = requiredText(body, "token");
    JsonNode publish = body.get("publish");
    if (publish != null && !publish.isNull() && !publish.isBoolean()) {
      throw new BadRequest("'publish' must be true or false");
    }
    String stageArn = body.hasNonNull("stageArn") ? body.get("stageArn").asText() : null;
    ok(ctx, participant(emulator.join(token, publish != null && publish.asBoolean(), stageArn)));
  }

  private ObjectNode participant(EmulatedParticipant participant) {
    ObjectNode node = json.createObjectNode().put("participantId", participant.participantId())
        .put("stageArn", participant.stageArn()).put("sessionId", participant.sessionId());
    if (participant.userId() != null) {
      node.put("userId", participant.userId());
    }
    return node.put("publishing", participant.publishing());
  }

  private ObjectNode stats() {
    EmulatorStats stats = emulator.stats();
    ObjectNode node = json.createObjectNode();
    ObjectNode calls = node.putObject("callsByOperation");
    stats.callsByOperation().forEach(calls::put);
    return node.put("totalCalls", stats.totalCalls()).put("throttled", stats.throttled())
        .put("injectedErrors", stats.injectedErrors());
  }

  private ObjectNode faults() {
    Faults faults = emulator.faults();
    ObjectNode node = json.createObjectNode().put("latencyMs", faults.latency().toMillis());
    ObjectNode perOperation = node.putObject("operationLatencyMs");
    faults.operationLatencies().forEach((op, latency) -> perOperation.put(op, latency.toMillis()));
    node.put("errorRate", faults.errorRate()).put("failNext", faults.failNext()).put("outage", faults.outage())
        .put("throttling", faults.throttling()).put("accessDenied", faults.accessDenied())
        .put("pendingVerification", faults.pendingVerification());
    faults.outageWindow().ifPresent(window -> node.putObject("outageWindow")
        .put("start", window.get(0).toString()).put("end", window.get(1).toString()));
    return node;
  }

  private void applyFaults(JsonNode body) {
    Faults faults = emulator.faults();
    if (body.has("latencyMs")) {
      faults.latency(Duration.ofMillis(nonNegativeLong(body, "latencyMs")));
    }
    JsonNode perOperation = body.get("operationLatencyMs");
    if (perOperation != null && !perOperation.isNull()) {
      if (!perOperation.isObject()) {
        throw new BadRequest("'operationLatencyMs' must be an object of operation name to milliseconds");
      }
      Iterator<Map.Entry<String, JsonNode>> fields = perOperation.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        faults.operationLatency(field.getKey(), Duration.ofMillis(nonNegativeLong(perOperation, field.getKey())));
      }
    }
    if (body.has("errorRate")) {
      JsonNode rate = body.get("errorRate");
      if (!rate.isNumber() || rate.asDouble() < 0 || rate.asDouble() > 1) {
        throw new BadRequest("'errorRate' must be a number between 0 and 1");
      }
      faults.errorRate(rate.asDouble());
    }
    if (body.has("failNext")) {
      faults.failNext((int) Math.min(Integer.MAX_VALUE, nonNegativeLong(body, "failNext")));
    }
    if (body.has("outage")) {
      faults.outage(bool(body, "outage"));
    }
    if (body.has("outageSeconds") || body.has("outageAfterSeconds")) {
      if (!body.has("outageSeconds")) {
        throw new BadRequest("'outageAfterSeconds' needs 'outageSeconds', the length of the outage window");
      }
      long after = body.has("outageAfterSeconds") ? nonNegativeLong(body, "outageAfterSeconds") : 0;
      faults.outageWindow(Duration.ofSeconds(after), Duration.ofSeconds(nonNegativeLong(body, "outageSeconds")));
    }
    if (body.has("throttling")) {
      faults.throttling(bool(body, "throttling"));
    }
    if (body.has("accessDenied")) {
      faults.accessDenied(bool(body, "accessDenied"));
    }
    if (body.has("pendingVerification")) {
      faults.pendingVerification(bool(body, "pendingVerification"));
    }
  }

  private ObjectNode quotas() {
    EmulatorQuotas quotas = emulator.quotas();
    ObjectNode node = json.createObjectNode().put("stages", quotas.stages())
        .put("subscribersPerStage", quotas.subscribersPerStage())
        .put("publishersPerStage", quotas.publishersPerStage()).put("publicKeys", quotas.publicKeys())
        .put("replicationsPerParticipant", quotas.replicationsPerParticipant());
    ObjectNode rates = node.putObject("rates");
    quotas.rates().forEach(rates::put);
    return node;
  }

  private void applyQuotas(JsonNode body) {
    EmulatorQuotas quotas = emulator.quotas();
    if (body.has("stages")) {
      quotas.stages(nonNegativeInt(body, "stages"));
    }
    if (body.has("subscribersPerStage")) {
      quotas.subscribersPerStage(nonNegativeInt(body, "subscribersPerStage"));
    }
    if (body.has("publishersPerStage")) {
      quotas.publishersPerStage(nonNegativeInt(body, "publishersPerStage"));
    }
    if (body.has("publicKeys")) {
      quotas.publicKeys(nonNegativeInt(body, "publicKeys"));
    }
    if (body.has("replicationsPerParticipant")) {
      quotas.replicationsPerParticipant(nonNegativeInt(body, "replicationsPerParticipant"));
    }
    JsonNode rates = body.get("rates");
    if (rates != null && !rates.isNull()) {
      if (!rates.isObject()) {
        throw new BadRequest("'rates' must be an object of operation name to calls per second");
      }
      Iterator<Map.Entry<String, JsonNode>> fields = rates.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!field.getValue().isNumber() || field.getValue().asDouble() <= 0) {
          throw new BadRequest("rate of '" + field.getKey() + "' must be a positive number");
        }
        quotas.rate(field.getKey(), field.getValue().asDouble());
      }
    }
  }

  private JsonNode body(Context ctx) {
    String body = ctx.body();
    if (body == null || body.isBlank()) {
      return json.createObjectNode();
    }
    try {
      JsonNode node = json.readTree(body);
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (JsonProcessingException e) {
      // reported below
    }
    throw new BadRequest("the request body must be a JSON object");
  }

  private static String requiredText(JsonNode body, String name) {
    JsonNode node = body.get(name);
    if (node == null || !node.isTextual() || node.asText().isBlank()) {
      throw new BadRequest("'" + name + "' is required");
    }
    return node.asText();
  }

  private static boolean bool(JsonNode body, String name) {
    JsonNode node = body.get(name);
    if (!node.isBoolean()) {
      throw new BadRequest("'" + name + "' must be true or false");
    }
    return node.asBoolean();
  }

  private static long nonNegativeLong(JsonNode body, String name) {
    JsonNode node = body.get(name);
    if (node == null || !node.isIntegralNumber() || node.asLong() < 0) {
      throw new BadRequest("'" + name + "' must be a whole number >= 0");
    }
    return node.asLong();
  }

  private static int nonNegativeInt(JsonNode body, String name) {
    JsonNode node = body.get(name);
    if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
      throw new BadRequest("'" + name + "' must be a whole number >= 0");
    }
    return node.asInt();
  }

  private void ok(Context ctx, ObjectNode body) {
    ctx.status(200).contentType("application/json").result(body.toString());
  }

  static void error(Context ctx, ObjectMapper json, int status, String error, String message) {
    ctx.status(status).contentType("application/json")
        .result(json.createObjectNode().put("error", error).put("message", message).toString());
  }

  /** A control API request the emulator cannot act on. */
  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}
