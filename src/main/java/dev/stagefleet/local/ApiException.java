package dev.stagefleet.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

/** A request the API server refuses, answered with a {@code Status} of this code and reason. */
class ApiException extends RuntimeException {
  private final int code;
  private final String reason;

  ApiException(int code, String reason, String message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message);
  }

  int code() {
    return code;
  }

  /** The Status body, for subclasses of the answer to add details to. */
  ObjectNode status() {
    return ApiStatus.status(code, reason, getMessage());
  }

  MockResponse response() {
    return ApiStatus.json(code, status());
  }
}
