package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.ivs.IvsException;

/**
 * What a failed IVS call means for the user, as a condition reason and a message that says what to do: throttling,
 * missing permissions, a used-up quota and an outage each read differently.
 */
record IvsFailure(String reason, String message) {

  static IvsFailure of(IvsException e) {
    String detail = describe(e);
    if (e instanceof IvsException.Throttled) {
      return new IvsFailure(ConditionTypes.REASON_THROTTLED, "IVS is throttling this account's calls (" + detail
          + "); StageFleet slows down and retries. If it persists, other clients share the account's IVS rate"
          + " quota: give them their own account or lower their call rate");
    }
    if (e instanceof IvsException.AccessDenied denied) {
      if (denied.pendingVerification()) {
        return new IvsFailure(ConditionTypes.REASON_ACCESS_DENIED, "The AWS account is pending verification, so"
            + " IVS refuses " + (denied.action() == null ? "the call" : denied.action()) + " (" + detail
            + "); complete the account verification with AWS");
      }
      String action = denied.action() == null ? "An IVS action" : denied.action();
      return new IvsFailure(ConditionTypes.REASON_ACCESS_DENIED, action + " denied for the operator's role ("
          + detail + "); grant " + (denied.action() == null ? "it" : denied.action())
          + " in the IAM policy of the operator's role");
    }
    if (e instanceof IvsException.QuotaExceeded) {
      return new IvsFailure(ConditionTypes.REASON_QUOTA_EXCEEDED, "An IVS service quota is used up (" + detail
          + "); delete unused stages or ask AWS for a higher quota");
    }
    return new IvsFailure(ConditionTypes.REASON_IVS_UNAVAILABLE, "IVS cannot be reached or keeps failing ("
        + detail + "); StageFleet retries with backoff and recovers by itself once IVS answers again");
  }

  static String describe(IvsException e) {
    return "IVS " + e.errorCode() + (e.statusCode() > 0 ? " (" + e.statusCode() + ")" : "") + ": " + e.getMessage();
  }
}
