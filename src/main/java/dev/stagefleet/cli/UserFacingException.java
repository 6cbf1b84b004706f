package dev.stagefleet.cli;

/** A failure whose message is meant for the user as it is: printed as one line, no stack trace. */
public class UserFacingException extends RuntimeException {
  private final int exitCode;

  public UserFacingException(String message) {
    this(message, 1);
  }

  public UserFacingException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
