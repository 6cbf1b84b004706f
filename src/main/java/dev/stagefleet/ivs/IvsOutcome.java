package dev.stagefleet.ivs;

import java.util.Locale;

/**
 * How an IVS call (or one attempt of it) ended: the {@code outcome} tag of every IVS metric, one vocabulary for the
 * per-attempt and the per-call meters.
 */
public enum IvsOutcome {
  SUCCESS,
  /** IVS answered 429, or (after retries) kept answering it. */
  THROTTLED,
  /** No local rate-limit permit in time: the call was never sent. */
  RATE_LIMITED,
  /** No connection to IVS: the call was never sent. */
  UNREACHABLE,
  /** Sent, but no answer came (timeout, reset): it may have taken effect. */
  NO_ANSWER,
  /** IVS answered 5xx. */
  SERVER_ERROR,
  NOT_FOUND,
  QUOTA_EXCEEDED,
  ACCESS_DENIED,
  /** IVS rejected the request as invalid (400). */
  INVALID,
  CONFLICT,
  /** Any other failure. */
  ERROR;

  /** The error code of a call that found no local rate-limit permit. */
  static final String LOCAL_RATE_LIMIT = "ClientRateLimitTimeout";

  /** The tag value: the name in lower case, as Prometheus labels are usually written. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The outcome a failure stands for. */
  public static IvsOutcome of(RuntimeException failure) {
    if (failure instanceof IvsException.Throttled) {
      return THROTTLED;
    }
    if (failure instanceof IvsException.Unavailable unavailable) {
      if (LOCAL_RATE_LIMIT.equals(unavailable.errorCode())) {
        return RATE_LIMITED;
      }
      if (unavailable.statusCode() >= 500) {
        return SERVER_ERROR;
      }
      return failure instanceof IvsException.Uncertain ? NO_ANSWER : UNREACHABLE;
    }
    if (failure instanceof IvsException.NotFound) {
      return NOT_FOUND;
    } else if (failure instanceof IvsException.QuotaExceeded) {
      return QUOTA_EXCEEDED;
    } else if (failure instanceof IvsException.AccessDenied) {
      return ACCESS_DENIED;
    } else if (failure instanceof IvsException.Validation) {
      return INVALID;
    } else if (failure instanceof IvsException.Conflict) {
      return CONFLICT;
    }
    return ERROR;
  }
}
