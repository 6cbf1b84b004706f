package dev.stagefleet.ivs;

/** A failed IVS call, carrying IVS's error code and message. Subtypes name the failures callers treat differently. */
public class IvsException extends RuntimeException {
  private final String errorCode;
  private final int statusCode;

  public IvsException(String errorCode, int statusCode, String message, Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
    this.statusCode = statusCode;
  }

  /** IVS's error code, for example {@code ValidationException}. */
  public String errorCode() {
    return errorCode;
  }

  /** The HTTP status, or 0 when IVS could not be reached. */
  public int statusCode() {
    return statusCode;
  }

  /** The resource does not exist (404). */
  public static class NotFound extends IvsException {
    public NotFound(String message, Throwable cause) {
      super("ResourceNotFoundException", 404, message, cause);
    }
  }

  /** IVS rejected the request's content (400). */
  public static class Validation extends IvsException {
    public Validation(String message, Throwable cause) {
      super("ValidationException", 400, message, cause);
    }
  }

  /** The credentials may not do this, or the account is pending verification (403). */
  public static class AccessDenied extends IvsException {
    public AccessDenied(String errorCode, String message, Throwable cause) {
      super(errorCode, 403, message, cause);
    }
  }

  /** The resource is in a state that forbids the call (409). */
  public static class Conflict extends IvsException {
    public Conflict(String message, Throwable cause) {
      super("ConflictException", 409, message, cause);
    }
  }

  /** A service quota (stages, keys, replications, subscribers) is used up (402). */
  public static class QuotaExceeded extends IvsException {
    public QuotaExceeded(String message, Throwable cause) {
      super("ServiceQuotaExceededException", 402, message, cause);
    }
  }

  /** IVS is unreachable, kept failing with 5xx, or kept throttling after every retry. */
  public static class Unavailable extends IvsException {
    public Unavailable(String errorCode, int statusCode, String message, Throwable cause) {
      super(errorCode, statusCode, message, cause);
    }
  }
}
