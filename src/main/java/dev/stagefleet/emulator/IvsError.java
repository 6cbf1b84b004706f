package dev.stagefleet.emulator;

/** An IVS error response: HTTP status, the {@code x-amzn-ErrorType} code and a message. */
final class IvsError extends RuntimeException {
  private final String code;
  private final int status;

  IvsError(String code, int status, String message) {
    super(message, null, false, false);
    this.code = code;
    this.status = status;
  }

  String code() {
    return code;
  }

  int status() {
    return status;
  }

  static IvsError validation(String message) {
    return new IvsError("ValidationException", 400, message);
  }

  static IvsError serialization(String message) {
    return new IvsError("SerializationException", 400, message);
  }

  static IvsError notFound(String message) {
    return new IvsError("ResourceNotFoundException", 404, message);
  }

  static IvsError conflict(String message) {
    return new IvsError("ConflictException", 409, message);
  }

  static IvsError quotaExceeded(String message) {
    return new IvsError("ServiceQuotaExceededException", 402, message);
  }

  static IvsError accessDenied(String message) {
    return new IvsError("AccessDeniedException", 403, message);
  }

  static IvsError pendingVerification(String message) {
    return new IvsError("PendingVerification", 403, message);
  }

  static IvsError throttling(String message) {
    return new IvsError("ThrottlingException", 429, message);
  }

  static IvsError internal(String message) {
    return new IvsError("InternalServerException", 500, message);
  }

  static IvsError unavailable(String message) {
    return new IvsError("ServiceUnavailableException", 503, message);
  }

  static IvsError unknownOperation(String message) {
    return new IvsError("UnknownOperationException", 404, message);
  }
}
