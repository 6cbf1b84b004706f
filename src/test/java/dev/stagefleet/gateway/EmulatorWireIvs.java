package dev.stagefleet.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The few IVS calls the gateway's tests need, sent as IVS's REST-JSON to the IVS emulator. A stand-in until the
 * SDK-based IvsService is on main; the gateway itself only ever calls CreateParticipantToken.
 */
final class EmulatorWireIvs implements IvsService {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI endpoint;

  EmulatorWireIvs(URI endpoint) {
    this.endpoint = endpoint;
  }

  private JsonNode call(String operation, Map<String, Object> body) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint.resolve("/" + operation))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode json = JSON.readTree(response.body());
      if (response.statusCode() == 404) {
        throw new IvsException.NotFound(json.path("message").asText(), null);
      }
      if (response.statusCode() != 200) {
        throw new IvsException.Unavailable(response.headers().firstValue("x-amzn-ErrorType").orElse("?"),
            response.statusCode(), json.path("message").asText(), null);
      }
      return json;
    } catch (IOException e) {
      throw new IvsException.Unavailable("IOException", 0, e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Stage createStage(String name, Map<String, String> tags) {
    JsonNode stage = call("CreateStage", Map.of("name", name, "tags", tags)).path("stage");
    return new Stage(stage.path("arn").asText(), name, tags, new Endpoints(stage.path("endpoints").path("events")
        .asText(), stage.path("endpoints").path("whip").asText()), null);
  }

  @Override
  public ParticipantToken createParticipantToken(String stageArn, Set<Capability> capabilities, Duration duration,
      String userId, Map<String, String> attributes) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("stageArn", stageArn);
    body.put("duration", duration.toMinutes());
    if (userId != null) {
      body.put("userId", userId);
    }
    body.put("attributes", attributes);
    body.put("capabilities", capabilities.stream().map(Enum::name).collect(Collectors.toList()));
    JsonNode token = call("CreateParticipantToken", body).path("participantToken");
    return new ParticipantToken(token.path("participantId").asText(), token.path("token").asText(),
        token.path("userId").asText(null), Instant.parse(token.path("expirationTime").asText()), capabilities);
  }

  @Override
  public PublicKey importPublicKey(String publicKeyPem, String name, Map<String, String> tags) {
    JsonNode key = call("ImportPublicKey", Map.of("publicKeyMaterial", publicKeyPem, "name", name)).path("publicKey");
    return new PublicKey(key.path("arn").asText(), name, publicKeyPem, key.path("fingerprint").asText());
  }

  @Override
  public void deleteStage(String arn) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Stage> listStages() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<Stage> getStage(String arn) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ParticipantCount countConnectedParticipants(String stageArn) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void disconnectParticipant(String stageArn, String participantId, String reason) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<PublicKey> getPublicKey(String arn) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void deletePublicKey(String arn) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void startReplication(String sourceStageArn, String destinationStageArn, String participantId,
      int reconnectWindowSeconds) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void stopReplication(String sourceStageArn, String destinationStageArn, String participantId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Replica> listReplicas(String sourceStageArn, String participantId) {
    throw new UnsupportedOperationException();
  }
}
