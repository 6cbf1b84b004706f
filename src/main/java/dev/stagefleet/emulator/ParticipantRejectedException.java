package dev.stagefleet.emulator;

/** A simulated client could not join a stage: its token or the stage refused it, as IVS would. */
public final class ParticipantRejectedException extends IllegalArgumentException {
  private final Reason reason;

  /** Why a join was refused. */
  public enum Reason {
    /** The token is not a token, or a claim is missing or malformed. */
    INVALID_TOKEN(401),
    /** The token's {@code exp} has passed. */
    TOKEN_EXPIRED(401),
    /** The self-signed token's {@code kid} names no imported public key. */
    UNKNOWN_KEY(401),
    /** The signature does not match the token. */
    BAD_SIGNATURE(401),
    /** The token is for another stage (resource and topic disagree, or another stage was asked for). */
    WRONG_STAGE(401),
    /** The token's stage does not exist (any more). */
    STAGE_NOT_FOUND(404),
    /** The token lacks the capability the client asked for (publishing without PUBLISH). */
    MISSING_CAPABILITY(403),
    /** The participant was disconnected with DisconnectParticipant; its token cannot be used again. */
    PARTICIPANT_DISCONNECTED(403),
    /** The stage has no room: 12 publishers or the subscriber quota. */
    QUOTA_EXCEEDED(403);

    private final int httpStatus;

    Reason(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    /** The status the control API answers with. */
    public int httpStatus() {
      return httpStatus;
    }
  }

  public ParticipantRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
