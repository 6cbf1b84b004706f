package dev.stagefleet.ivs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.emulator.SelfSignedTokens;
import dev.stagefleet.ivs.IvsRateLimits.OperationClass;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** IVS's errors become typed exceptions carrying its message; throttling, 5xx and outages are retried, then given up. */
@Tag("wire")
class SdkIvsServiceFailureTest {
  private static final IvsRetryPolicy QUICK_RETRIES =
      new IvsRetryPolicy(4, Duration.ofMillis(50), Duration.ofMillis(400), 0.5);
  private static IvsEmulator emulator;
  private SimpleMeterRegistry meters;
  private SdkIvsService ivs;

  @BeforeAll
  static void start() {
    emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build());
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  @BeforeEach
  void connect() {
    emulator.reset();
    meters = new SimpleMeterRegistry();
    ivs = service(new IvsRateLimits(), QUICK_RETRIES);
  }

  @AfterEach
  void disconnect() {
    ivs.close();
  }

  @Test
  void reportsValidationErrorsWithIvsMessage() {
    assertThatThrownBy(() -> ivs.createStage("not a valid name!", Map.of()))
        .isInstanceOf(IvsException.Validation.class)
        .hasMessageStartingWith("CreateStage: ").hasMessageContaining("'name'")
        .satisfies(e -> assertThat(((IvsException) e).statusCode()).isEqualTo(400));
  }

  @Test
  void reportsMissingResourcesAsNotFound() {
    String missing = "arn:aws:ivs:us-east-1:123456789012:stage/missing";

    assertThatThrownBy(() -> ivs.disconnectParticipant(missing, "p1", null))
        .isInstanceOf(IvsException.NotFound.class).hasMessageContaining("not found");
    assertThatThrownBy(() -> ivs.startReplication(missing, missing.replace("missing", "other"), "p1", 0))
        .isInstanceOf(IvsException.NotFound.class);
  }

  @Test
  void reportsConflicts() {
    String pem = SelfSignedTokens.publicKeyPem(SelfSignedTokens.newKeyPair());
    ivs.importPublicKey(pem, "one", Map.of());

    assertThatThrownBy(() -> ivs.importPublicKey(pem, "again", Map.of())).isInstanceOf(IvsException.Conflict.class)
        .satisfies(e -> assertThat(((IvsException) e).errorCode()).isEqualTo("ConflictException"));
  }

  @Test
  void reportsAnExhaustedQuotaAsItsOwnType() {
    emulator.quotas().stages(1);
    ivs.createStage("first", Map.of());

    assertThatThrownBy(() -> ivs.createStage("second", Map.of())).isInstanceOf(IvsException.QuotaExceeded.class)
        .hasMessageContaining("quota")
        .satisfies(e -> assertThat(((IvsException) e).statusCode()).isEqualTo(402));
    assertThat(emulator.stats().calls("CreateStage")).isEqualTo(2);
  }

  @Test
  void reportsAccessDeniedAndPendingVerificationWithTheirCodes() {
    emulator.faults().pendingVerification(true);
    assertThatThrownBy(() -> ivs.createStage("x", Map.of())).isInstanceOf(IvsException.AccessDenied.class)
        .satisfies(e -> assertThat(((IvsException) e).errorCode()).isEqualTo("PendingVerification"));

    emulator.faults().clear().accessDenied(true);
    assertThatThrownBy(ivs::listStages).isInstanceOf(IvsException.AccessDenied.class)
        .satisfies(e -> assertThat(((IvsException) e).errorCode()).isEqualTo("AccessDeniedException"))
        .satisfies(e -> assertThat(((IvsException.AccessDenied) e).action()).isEqualTo("ivs:ListStages"));
  }

  @Test
  void aCreateStageAnswered5xxIsUncertainAndNotRetriedWhileIdempotentCallsAre() {
    emulator.faults().failNext(1);
    assertThatThrownBy(() -> ivs.createStage("x", Map.of())).isInstanceOf(IvsException.Uncertain.class)
        .satisfies(e -> assertThat(((IvsException) e).statusCode()).isEqualTo(500));
    assertThat(emulator.stats().calls("CreateStage")).as("not retried: it may have made the stage").isEqualTo(1);

    emulator.faults().failNext(1);
    assertThat(ivs.listStages()).isNotNull();
    assertThat(emulator.stats().calls("ListStages")).as("retried").isEqualTo(2);
  }

  @Test
  void retriesAcrossInjectedServerErrors() {
    emulator.faults().failNext(3);

    assertThat(ivs.listStages()).isEmpty();
    assertThat(emulator.stats().calls("ListStages")).isEqualTo(4);
    assertThat(emulator.stats().injectedErrors()).isEqualTo(3);
    assertThat(meters.get(SdkIvsService.REQUEST_METRIC).tags("operation", "ListStages", "outcome", "server_error")
        .timer().count()).isEqualTo(3);
    assertThat(meters.get(SdkIvsService.REQUEST_METRIC).tags("operation", "ListStages", "outcome", "success")
        .timer().count()).isEqualTo(1);
  }

  @Test
  void retriesAcrossThrottlingWhenTheClientLimitIsLooserThanIvs() {
    Map<OperationClass, Double> loose = new EnumMap<>(OperationClass.class);
    loose.put(OperationClass.STAGE, 1000.0);
    ivs.close();
    ivs = service(new IvsRateLimits(loose, Duration.ofSeconds(5)),
        new IvsRetryPolicy(8, Duration.ofMillis(100), Duration.ofMillis(800), 0.5));
    String arn = ivs.createStage("hot", Map.of()).arn();
    emulator.quotas().rate("GetStage", 3);

    for (int i = 0; i < 6; i++) {
      assertThat(ivs.getStage(arn)).isPresent();
    }

    assertThat(emulator.stats().throttled()).isPositive();
    assertThat(meters.get(SdkIvsService.REQUEST_METRIC).tags("operation", "GetStage", "outcome", "throttled")
        .timer().count()).isEqualTo(emulator.stats().throttled());
  }

  @Test
  void givesUpAfterTheLastRetryWithUnavailable() {
    emulator.faults().outage(true);

    assertThatThrownBy(ivs::listStages).isInstanceOf(IvsException.Unavailable.class)
        .hasMessageContaining("gave up after 4 attempts")
        .satisfies(e -> assertThat(((IvsException) e).statusCode()).isEqualTo(503));
    assertThat(emulator.stats().calls("ListStages")).isEqualTo(4);
  }

  @Test
  void reportsAnUnreachableEndpointAsUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (SdkIvsService unreachable = SdkIvsService.builder("us-east-1", new IvsRateLimits())
        .endpoint(URI.create("http://127.0.0.1:" + closedPort))
        .retryPolicy(new IvsRetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20), 0))
        .meterRegistry(meters).build()) {

      assertThatThrownBy(unreachable::listStages).isInstanceOf(IvsException.Unavailable.class)
          .hasMessageContaining("could not be reached")
          .satisfies(e -> assertThat(((IvsException) e).statusCode()).isZero())
          .satisfies(e -> assertThat(((IvsException) e).errorCode()).isEqualTo("ConnectionFailure"));
    }
  }

  @Test
  void buildsAnAwsClientFromTheDefaultCredentialChainWithoutCallingAws() {
    try (SdkIvsService aws = SdkIvsService.forAws("eu-central-1", new IvsRateLimits())) {
      assertThat(aws).isNotNull();
    }
  }

  private SdkIvsService service(IvsRateLimits limits, IvsRetryPolicy retries) {
    return SdkIvsService.builder(emulator.region(), limits).endpoint(emulator.endpoint()).retryPolicy(retries)
        .meterRegistry(meters).build();
  }
}
