package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;

/** {@code Status} bodies and JSON responses as the Kubernetes API writes them, and reading the CRUD store's answers. */
final class ApiStatus {
  static final ObjectMapper JSON = new ObjectMapper();

  private ApiStatus() {
  }

  static ObjectNode status(int code, String reason, String message) {
    return JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
        .put("message", message).put("reason", reason).put("code", code);
  }

  static MockResponse failure(int code, String reason, String message) {
    return json(code, status(code, reason, message));
  }

  /** 404 for a path no resource serves. */
  static MockResponse noSuchResource() {
    return failure(404, "NotFound", "the server could not find the requested resource");
  }

  /** A NotFound naming the object, e.g. {@code livebroadcasts.live.stagefleet.dev "x" not found}. */
  static MockResponse notFound(ApiPath path) {
    if (path == null || !path.isObject()) {
      return noSuchResource();
    }
    ObjectNode status = status(404, "NotFound", path.qualifiedResource() + " \"" + path.name() + "\" not found");
    status.putObject("details").put("name", path.name()).put("group", path.group()).put("kind", path.plural());
    return json(404, status);
  }

  static MockResponse json(int code, JsonNode body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }

  /** Whether the response carries no body (the CRUD store answers a missing object so). */
  static boolean isEmpty(MockResponse response) {
    return response.getBody() == null || response.getBody().size() == 0;
  }

  /** The CRUD store's JSON answer; it writes only JSON, so an unreadable body is a defect, not a client mistake. */
  static JsonNode body(MockResponse response) {
    try {
      return JSON.readTree(response.getBody().getBytes());
    } catch (IOException e) {
      throw new IllegalStateException("the CRUD store answered with unreadable JSON", e);
    }
  }
}
