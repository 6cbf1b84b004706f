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
    private final String action;

    public AccessDenied(String errorCode, String message, Throwable cause) {
      this(errorCode, null, message, cause);
    }

    /** @param action the IAM action that was denied, for example {@code ivs:CreateStage} (null when unknown) */
    public AccessDenied(String errorCode, String action, String message, Throwable cause) {
      super(errorCode, 403, message, cause);
      this.action = action;
    }

    /** The IAM action that was denied, for example {@code ivs:CreateStage}, or null when unknown. */
    public String action() {
      return action;
    }

    /** True when the account is pending verification, rather than the credentials lacking a permission. */
    public boolean pendingVerification() {
      return "PendingVerification".equals(errorCode());
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

  /** IVS kept refusing calls for exceeding its rate quota (429), after every retry: the request took no effect. */
  public static class Throttled extends Unavailable {
    public Throttled(String errorCode, String message, Throwable cause) {
      super(errorCode, 429, message, cause);
    }
  }

  /**
   * The call may or may not have taken effect: IVS answered 5xx, or it had (or may have had) the request and no
   * answer came back (a timeout, a connection reset after sending). A call without an idempotency token
   * (CreateStage) that fails this way is never retried: whether it took effect must be looked up first.
   */
  public static class Uncertain extends Unavailable {
    public Uncertain(String errorCode, int statusCode, String message, Throwable cause) {
      super(errorCode, statusCode, message, cause);
    }

    /** True when no answer came back, so IVS may still be carrying the request out. */
    public boolean unanswered() {
      return statusCode() == 0;
    }
  }
}
