package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Writes to the embedded API server are pruned, defaulted and validated as kube-apiserver does it. */
class ObjectAdmissionTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String LBC = "/apis/live.stagefleet.dev/v1alpha1/namespaces/default/livebroadcasts";
  static final HttpClient http = HttpClient.newHttpClient();
  static EmbeddedApiServer api;

  @BeforeAll
  static void start() {
    api = EmbeddedApiServer.start(0, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(api.url() + path)).header("Content-Type", contentType)
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> create(String name, String spec) throws Exception {
    return send("POST", LBC, "application/json", "{\"apiVersion\":\"live.stagefleet.dev/v1alpha1\","
        + "\"kind\":\"LiveBroadcast\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + spec + "}");
  }

  static final String BROADCASTER = "\"broadcaster\":{\"apiKeySecretRef\":{\"name\":\"key\"}}";

  static JsonNode stored(String name) throws Exception {
    var response = http.send(HttpRequest.newBuilder(URI.create(api.url() + LBC + "/" + name)).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
  }

  @Test
  void aValueOfTheWrongTypeIsRefusedAsUnprocessableWithTheApiServersWording() throws Exception {
    var response = create("typed", "{" + BROADCASTER + ",\"viewersPerStage\":\"lots\"}");
    assertThat(response.statusCode()).isEqualTo(422);
    JsonNode status = JSON.readTree(response.body());
    assertThat(status.path("reason").asText()).isEqualTo("Invalid");
    assertThat(status.path("message").asText()).isEqualTo("LiveBroadcast.live.stagefleet.dev \"typed\" is invalid: "
        + "spec.viewersPerStage: Invalid value: \"string\": spec.viewersPerStage in body must be of type integer: "
        + "\"string\"");
    JsonNode cause = status.path("details").path("causes").get(0);
    assertThat(cause.path("reason").asText()).isEqualTo("FieldValueTypeInvalid");
    assertThat(cause.path("field").asText()).isEqualTo("spec.viewersPerStage");
    assertThat(status.path("details").path("kind").asText()).isEqualTo("LiveBroadcast");
    assertThat(stored("typed")).as("nothing is stored").isNull();
  }

  @Test
  void boundsPatternsAndRequiredFieldsAreCheckedAndEveryFailureIsListed() throws Exception {
    var response = create("bounded", "{\"broadcaster\":{\"apiKeySecretRef\":{\"name\":\"Not_A_Name\"}},"
        + "\"maxStages\":0,\"region\":\"moon\"}");
    assertThat(response.statusCode()).isEqualTo(422);
    String message = JSON.readTree(response.body()).path("message").asText();
    assertThat(message).startsWith("LiveBroadcast.live.stagefleet.dev \"bounded\" is invalid: [").contains(
        "spec.maxStages: Invalid value: 0: spec.maxStages in body should be greater than or equal to 1",
        "spec.region: Invalid value: \"moon\": spec.region in body should match '^[a-z]{2}(-[a-z]+)+-[0-9]+$'",
        "spec.broadcaster.apiKeySecretRef.name: Invalid value: \"Not_A_Name\": "
            + "spec.broadcaster.apiKeySecretRef.name in body should match");

    var missing = create("headless", "{}");
    assertThat(missing.statusCode()).isEqualTo(422);
    assertThat(JSON.readTree(missing.body()).path("message").asText())
        .endsWith("spec.broadcaster: Required value");
  }

  @Test
  void theCelRuleOfTheCrdIsEvaluatedOnTheDefaultedObject() throws Exception {
    var response = create("inverted", "{" + BROADCASTER + ",\"minStages\":5,\"maxStages\":2}");
    assertThat(response.statusCode()).isEqualTo(422);
    assertThat(JSON.readTree(response.body()).path("message").asText()).isEqualTo(
        "LiveBroadcast.live.stagefleet.dev \"inverted\" is invalid: spec: Invalid value: \"object\": "
            + "minStages must not exceed maxStages");
    // maxStages defaults to 10, so minStages 11 breaks the rule without naming maxStages at all
    assertThat(create("over-default", "{" + BROADCASTER + ",\"minStages\":11}").statusCode()).isEqualTo(422);
  }

  @Test
  void missingFieldsGetTheSchemasDefaultsAtEveryDepth() throws Exception {
    assertThat(create("defaulted", "{" + BROADCASTER + "}").statusCode()).isBetween(200, 201);
    JsonNode spec = stored("defaulted").path("spec");
    assertThat(spec.path("viewersPerStage").asInt()).isEqualTo(50);
    assertThat(spec.path("maxStages").asInt()).isEqualTo(10);
    assertThat(spec.path("scaling").path("targetFill").asDouble()).isEqualTo(0.8);
    assertThat(spec.path("broadcaster").path("apiKeySecretRef").path("key").asText()).isEqualTo("apiKey");
    assertThat(spec.path("broadcaster").path("userId").asText()).isEqualTo("broadcaster");
  }

  @Test
  void unknownFieldsAreDroppedWithAWarningAndRefusedUnderStrictFieldValidation() throws Exception {
    var response = create("typo", "{" + BROADCASTER + ",\"viewersPerStag\":5,\"colour\":\"red\"}");
    assertThat(response.statusCode()).isBetween(200, 201);
    assertThat(response.headers().allValues("Warning")).containsExactlyInAnyOrder(
        "299 - \"unknown field \\\"spec.viewersPerStag\\\"\"", "299 - \"unknown field \\\"spec.colour\\\"\"");
    JsonNode spec = stored("typo").path("spec");
    assertThat(spec.has("colour")).isFalse();
    assertThat(spec.has("viewersPerStag")).isFalse();

    var strict = send("POST", LBC + "?fieldValidation=Strict", "application/json",
        "{\"apiVersion\":\"live.stagefleet.dev/v1alpha1\",\"kind\":\"LiveBroadcast\",\"metadata\":{\"name\":"
            + "\"strict\"},\"spec\":{" + BROADCASTER + ",\"colour\":\"red\"}}");
    assertThat(strict.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(strict.body()).path("message").asText()).isEqualTo("LiveBroadcast in version "
        + "\"v1alpha1\" cannot be handled as a LiveBroadcast: strict decoding error: unknown field \"spec.colour\"");
    assertThat(stored("strict")).isNull();
  }

  @Test
  void aMergePatchIsValidatedAsTheObjectItProducesAndARefusedOneChangesNothing() throws Exception {
    assertThat(create("patched", "{" + BROADCASTER + ",\"maxStages\":4}").statusCode()).isBetween(200, 201);
    var refused = send("PATCH", LBC + "/patched", "application/merge-patch+json", "{\"spec\":{\"minStages\":9}}");
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body()).contains("minStages must not exceed maxStages");
    assertThat(stored("patched").path("spec").path("minStages").asInt()).isEqualTo(1);

    var accepted = send("PATCH", LBC + "/patched", "application/json-patch+json",
        "[{\"op\":\"replace\",\"path\":\"/spec/maxStages\",\"value\":12}]");
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    assertThat(stored("patched").path("spec").path("maxStages").asInt()).isEqualTo(12);
  }

  @Test
  void aSecretsStringDataIsStoredBase64EncodedInData() throws Exception {
    var response = send("POST", "/api/v1/namespaces/default/secrets", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"plain\"},"
            + "\"data\":{\"kept\":\"a2VwdA==\"},\"stringData\":{\"apiKey\":\"s3cret\"}}");
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
    JsonNode secret = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(api.url()
        + "/api/v1/namespaces/default/secrets/plain")).build(), HttpResponse.BodyHandlers.ofString()).body());
    assertThat(secret.has("stringData")).isFalse();
    assertThat(new String(Base64.getDecoder().decode(secret.path("data").path("apiKey").asText())))
        .isEqualTo("s3cret");
    assertThat(secret.path("data").path("kept").asText()).isEqualTo("a2VwdA==");
  }
}
