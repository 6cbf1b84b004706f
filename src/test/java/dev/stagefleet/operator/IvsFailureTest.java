package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.ivs.IvsException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Each kind of IVS failure gets its own condition reason and a message saying what to do. */
@Tag("unit")
class IvsFailureTest {
  @Test
  void throttlingIsThrottledAndPointsAtTheSharedRateQuota() {
    var failure = IvsFailure.of(new IvsException.Throttled("ThrottlingException",
        "ListStages: Rate exceeded (gave up after 6 attempts)", null));
    assertThat(failure.reason()).isEqualTo(ConditionTypes.REASON_THROTTLED);
    assertThat(failure.message()).contains("throttling").contains("Rate exceeded").contains("rate quota");
  }

  @Test
  void accessDeniedNamesTheActionToGrant() {
    var failure = IvsFailure.of(new IvsException.AccessDenied("AccessDeniedException", "ivs:CreateStage",
        "CreateStage: User is not authorized to perform: ivs:CreateStage", null));
    assertThat(failure.reason()).isEqualTo(ConditionTypes.REASON_ACCESS_DENIED);
    assertThat(failure.message()).startsWith("ivs:CreateStage denied for the operator's role")
        .contains("grant ivs:CreateStage in the IAM policy");
  }

  @Test
  void pendingVerificationSaysToVerifyTheAccount() {
    var failure = IvsFailure.of(new IvsException.AccessDenied("PendingVerification", "ivs:CreateStage",
        "CreateStage: Your account is pending verification", null));
    assertThat(failure.reason()).isEqualTo(ConditionTypes.REASON_ACCESS_DENIED);
    assertThat(failure.message()).contains("pending verification").contains("complete the account verification");
  }

  @Test
  void aQuotaAndAnOutageReadDifferently() {
    assertThat(IvsFailure.of(new IvsException.QuotaExceeded("CreateStage: quota", null)).reason())
        .isEqualTo(ConditionTypes.REASON_QUOTA_EXCEEDED);
    var outage = IvsFailure.of(new IvsException.Uncertain("ServiceUnavailableException", 503, "down", null));
    assertThat(outage.reason()).isEqualTo(ConditionTypes.REASON_IVS_UNAVAILABLE);
    assertThat(outage.message()).contains("retries with backoff");
  }
}
