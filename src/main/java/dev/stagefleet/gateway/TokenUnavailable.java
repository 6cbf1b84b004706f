package dev.stagefleet.gateway;

/** A token could not be minted for a stage; the routes turn the reason into an HTTP answer. */
final class TokenUnavailable extends RuntimeException {
  /** Why there is no token. */
  enum Reason {
    /** The stage no longer exists in IVS. */
    STAGE_GONE,
    /** IVS failed or throttled the call; a retry shortly may work. */
    IVS_UNAVAILABLE,
    /** The stage cannot take participants yet (for example, its endpoints are not known). */
    STAGE_NOT_READY
  }

  private final Reason reason;

  /** With a {@code message} a client can read. */
  TokenUnavailable(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  Reason reason() {
    return reason;
  }
}
