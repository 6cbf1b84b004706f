package dev.stagefleet.operator;

import static dev.stagefleet.operator.Broadcasts.isReady;
import static dev.stagefleet.operator.Broadcasts.spec;
import static dev.stagefleet.operator.Broadcasts.stageIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.IvsRetryPolicy;
import dev.stagefleet.ivs.SdkIvsService;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CreateStage slower than the client's timeout, through the real IVS client against the emulator: the first attempt
 * still makes its stage, so a retry would make a second one. The operator must never retry it blindly.
 */
@Tag("apiserver")
class UncertainCreateTest {
  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(3);
  static final Duration WAIT = Duration.ofSeconds(10);

  MockApiServer api;
  IvsEmulator emulator;
  SdkIvsService ivs;
  OperatorRuntime runtime;
  Broadcasts broadcasts;
  long createsBefore;

  @BeforeEach
  void start() {
    api = new MockApiServer();
    broadcasts = new Broadcasts(api.client());
    emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build());
    ivs = SdkIvsService.builder(emulator.region(), new IvsRateLimits()).endpoint(emulator.endpoint())
        .retryPolicy(new IvsRetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1), 0.5))
        .attemptTimeout(CLIENT_TIMEOUT).build();
    // the first calls load the SDK, which can take longer than the short timeout on a busy machine: warm it up with
    // a patient client first
    try (SdkIvsService patient = SdkIvsService.forEndpoint(emulator.endpoint(), emulator.region(),
        new IvsRateLimits())) {
      patient.deleteStage(patient.createStage("warm-up", Map.of()).arn());
    }
    ivs.listStages();
    createsBefore = emulator.stats().calls("CreateStage");
    var settings = OperatorSettings.builder()
        .region(emulator.region())
        .clusterId("uncertain")
        .healthPort(-1)
        .leaderElection(false)
        .serverSideApply(false)
        .inventoryRefreshInterval(Duration.ofMillis(300))
        .participantSampleRate(0)
        .resyncInterval(Duration.ofSeconds(1))
        .retryBackoff(Duration.ofMillis(200)).maxRetryBackoff(Duration.ofSeconds(1)).build();
    runtime = new OperatorRuntime(settings, api.client(), ivs, Clock.systemUTC()).start();
  }

  @AfterEach
  void stop() {
    runtime.close();
    ivs.close();
    emulator.close();
    api.close();
  }

  @Test
  void aCreateThatTimesOutIsAdoptedWhenItLandsAndNeverDuplicatedOrAboveMaxStages() throws Exception {
    // IVS makes the stage 1 s after the client gave up waiting
    emulator.faults().operationLatency("CreateStage", CLIENT_TIMEOUT.plusSeconds(1));
    AtomicInteger most = new AtomicInteger();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> {
      while (watching.get()) {
        most.accumulateAndGet(emulator.stages().size(), Math::max);
        Thread.onSpinWait();
      }
    }, "stage-count-watcher");
    watcher.start();
    try {
      broadcasts.create("slow", "show", spec(10, 2, 2, 60, 60));
      await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
        var status = broadcasts.status("slow", "show");
        assertThat(stageIds(status, StageStatus.ACTIVE)).hasSize(2);
        assertThat(isReady(status)).isTrue();
      });
      // long enough for any retried attempt to have landed as well
      await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6))
          .until(() -> emulator.stages().size() == 2);
    } finally {
      watching.set(false);
      watcher.join();
    }
    assertThat(most.get()).as("IVS never held more than maxStages stages of the broadcast").isEqualTo(2);
    assertThat(emulator.stats().calls("CreateStage") - createsBefore).as("one CreateStage per stage: none retried")
        .isEqualTo(2);
    await().atMost(WAIT).untilAsserted(() -> assertThat(broadcasts.eventReasons("slow", "show"))
        .as("the stages IVS made without answering are adopted").contains(EventRecorder.ADOPTED));
    assertThat(broadcasts.status("slow", "show").getStages()).extracting(StageStatus::getArn)
        .containsExactlyInAnyOrderElementsOf(emulator.stages());
  }
}
