package dev.stagefleet.gateway;

import java.util.Map;

/** A failed request as the client sees it: an HTTP status and a JSON body {@code {"error": ..., "message": ...}}. */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String error;
  private final Map<String, String> headers;

  public ApiError(int status, String error, String message) {
    this(status, error, message, Map.of());
  }

  public ApiError(int status, String error, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
    this.headers = Map.copyOf(headers);
  }

  public int status() {
    return status;
  }

  /** A short machine-readable code such as {@code not_found}. */
  public String error() {
    return error;
  }

  /** Extra response headers, such as Retry-After. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The JSON body. */
  public Map<String, String> body() {
    return Map.of("error", error, "message", getMessage());
  }

  static ApiError badRequest(String message) {
    return new ApiError(400, "bad_request", message);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, "not_found", message);
  }

  /** The answer to a token that could not be minted. */
  static ApiError of(TokenUnavailable e) {
    return switch (e.reason()) {
      case STAGE_GONE -> new ApiError(404, "stage_not_found", e.getMessage());
      case IVS_UNAVAILABLE -> new ApiError(503, "ivs_unavailable", e.getMessage(), Map.of("Retry-After", "2"));
      case STAGE_NOT_READY -> new ApiError(503, "stage_not_ready", e.getMessage(), Map.of("Retry-After", "2"));
    };
  }

  /** The machine-readable code of an HTTP status, for answers Jetty or Javalin refuse before our routes. */
  static String codeFor(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 408 -> "request_timeout";
      case 411 -> "length_required";
      case 413 -> "payload_too_large";
      case 414 -> "uri_too_long";
      case 415 -> "unsupported_media_type";
      case 417 -> "expectation_failed";
      case 426 -> "upgrade_required";
      case 429 -> "rate_limited";
      case 431 -> "request_header_fields_too_large";
      case 501 -> "not_implemented";
      case 503 -> "unavailable";
      case 505 -> "http_version_not_supported";
      default -> status >= 500 ? "internal" : "http_" + status;
    };
  }
}
