package dev.stagefleet.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The emulator speaks IVS's REST-JSON protocol to any HTTP client, not only to our SDK-based one. */
@Tag("wire")
class IvsEmulatorWireProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static IvsEmulator emulator;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startEmulator() {
    emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build());
  }

  @AfterAll
  static void stopEmulator() {
    emulator.close();
  }

  @BeforeEach
  void reset() {
    emulator.reset();
  }

  @Test
  void createsAStageFromAPlainJsonPost() throws Exception {
    HttpResponse<String> response = post("/CreateStage", "{\"name\":\"raw-stage\",\"tags\":{\"team\":\"video\"}}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v)
        .startsWith("application/json"));
    JsonNode stage = JSON.readTree(response.body()).get("stage");
    assertThat(stage.get("arn").asText()).matches("arn:aws:ivs:us-east-1:123456789012:stage/[a-zA-Z0-9]{12}");
    assertThat(stage.get("name").asText()).isEqualTo("raw-stage");
    assertThat(stage.get("tags").get("team").asText()).isEqualTo("video");
    assertThat(stage.get("endpoints").get("events").asText()).startsWith("wss://");
    assertThat(stage.get("endpoints").get("whip").asText()).startsWith("https://");
    assertThat(emulator.stages()).containsExactly(stage.get("arn").asText());
  }

  @Test
  void answersABadRequestWithTheErrorTypeHeaderAndBothMessageFields() throws Exception {
    HttpResponse<String> response = post("/GetStage", "{\"arn\":\"not-an-arn\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("ValidationException");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("message").asText()).contains("'arn'").contains("regular expression");
    assertThat(body.get("exceptionMessage").asText()).isEqualTo(body.get("message").asText());
  }

  @Test
  void rejectsMalformedJsonAsASerializationError() throws Exception {
    HttpResponse<String> response = post("/CreateStage", "{\"name\":");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("SerializationException");
  }

  @Test
  void answersUnknownOperationsWithAnIvsStyle404() throws Exception {
    HttpResponse<String> response = post("/CreateChannel", "{}");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("UnknownOperationException");
  }

  @Test
  void servesTagsAtTheUrlEncodedArn() throws Exception {
    String arn = JSON.readTree(post("/CreateStage", "{}").body()).get("stage").get("arn").asText();
    String path = "/tags/" + URLEncoder.encode(arn, StandardCharsets.UTF_8);

    assertThat(post(path, "{\"tags\":{\"a\":\"1\",\"b\":\"2\"}}").statusCode()).isEqualTo(200);
    HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri(path + "?tagKeys=a")).DELETE());
    HttpResponse<String> listed = send(HttpRequest.newBuilder(uri(path)).GET());

    HttpResponse<String> unencoded = send(HttpRequest.newBuilder(uri("/tags/" + arn)).GET());

    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(listed.body()).get("tags")).isEqualTo(JSON.readTree("{\"b\":\"2\"}"));
    assertThat(JSON.readTree(unencoded.body()).get("tags")).isEqualTo(JSON.readTree("{\"b\":\"2\"}"));
  }

  @Test
  void controlApiJoinsAndReportsRejectionsAsJson() throws Exception {
    String arn = JSON.readTree(post("/CreateStage", "{}").body()).get("stage").get("arn").asText();
    String token = JSON.readTree(post("/CreateParticipantToken",
        "{\"stageArn\":\"" + arn + "\",\"userId\":\"viewer-1\",\"capabilities\":[\"SUBSCRIBE\"]}").body())
        .get("participantToken").get("token").asText();

    HttpResponse<String> joined = post("/_emulator/join", "{\"token\":\"" + token + "\"}");
    HttpResponse<String> publishRefused = post("/_emulator/join", "{\"token\":\"" + token + "\",\"publish\":true}");
    HttpResponse<String> garbage = post("/_emulator/join", "{\"token\":\"abc\"}");

    assertThat(joined.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(joined.body()).get("userId").asText()).isEqualTo("viewer-1");
    assertThat(publishRefused.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(publishRefused.body()).get("error").asText()).isEqualTo("MISSING_CAPABILITY");
    assertThat(garbage.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(garbage.body()).get("message").asText()).isNotBlank();
  }

  @Test
  void controlApiInjectsFaultsAndReportsStats() throws Exception {
    assertThat(post("/_emulator/faults", "{\"errorRate\":1.0}").statusCode()).isEqualTo(200);
    HttpResponse<String> failed = post("/ListStages", "{}");
    assertThat(send(HttpRequest.newBuilder(uri("/_emulator/faults")).DELETE()).statusCode()).isEqualTo(200);
    HttpResponse<String> healed = post("/ListStages", "{}");
    JsonNode stats = JSON.readTree(send(HttpRequest.newBuilder(uri("/_emulator/stats")).GET()).body());

    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(failed.headers().firstValue("x-amzn-ErrorType")).hasValue("InternalServerException");
    assertThat(healed.statusCode()).isEqualTo(200);
    assertThat(stats.get("callsByOperation").get("ListStages").asLong()).isEqualTo(2);
    assertThat(stats.get("injectedErrors").asLong()).isEqualTo(1);
  }

  @Test
  void controlApiOpensAnOutageWindowThatClearingCloses() throws Exception {
    HttpResponse<String> opened = post("/_emulator/faults", "{\"outageSeconds\":600}");
    HttpResponse<String> failed = post("/ListStages", "{}");
    HttpResponse<String> early = post("/_emulator/faults", "{\"outageAfterSeconds\":5}");
    assertThat(send(HttpRequest.newBuilder(uri("/_emulator/faults")).DELETE()).statusCode()).isEqualTo(200);
    HttpResponse<String> healed = post("/ListStages", "{}");

    assertThat(opened.statusCode()).isEqualTo(200);
    JsonNode faults = JSON.readTree(opened.body());
    assertThat(faults.get("outage").asBoolean()).isTrue();
    assertThat(faults.get("outageWindow").get("end").asText()).isNotBlank();
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(early.statusCode()).as("a start without a length").isEqualTo(400);
    assertThat(healed.statusCode()).isEqualTo(200);
  }

  @Test
  void controlApiRejectsBadInputWithA400() throws Exception {
    HttpResponse<String> response = post("/_emulator/faults", "{\"errorRate\":7}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("bad_request");
  }

  private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create(emulator.endpoint() + path);
  }
}
