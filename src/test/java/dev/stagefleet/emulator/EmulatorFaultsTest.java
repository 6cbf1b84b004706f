package dev.stagefleet.emulator;

import dev.stagefleet.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ivsrealtime.IvsRealTimeClient;
import software.amazon.awssdk.services.ivsrealtime.model.IvsRealTimeException;
import software.amazon.awssdk.services.ivsrealtime.model.ParticipantTokenCapability;

/** Fault injection, rate quotas and concurrency of the emulator. */
@Tag("wire")
class EmulatorFaultsTest {
  private static IvsEmulator emulator;
  private static IvsRealTimeClient ivs;

  @BeforeAll
  static void start() {
    emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build());
    ivs = EmulatorSdkClients.sdkClient(emulator);
  }

  @AfterAll
  static void stop() {
    ivs.close();
    emulator.close();
  }

  @BeforeEach
  void reset() {
    emulator.reset();
  }

  @Test
  void anOutageFailsEveryIvsCallWith503ButKeepsTheControlApi() {
    emulator.faults().outage(true);

    assertThatThrownBy(() -> ivs.listStages(b -> { })).isInstanceOf(IvsRealTimeException.class)
        .satisfies(e -> assertThat(((IvsRealTimeException) e).statusCode()).isEqualTo(503));
    assertThat(emulator.stages()).isEmpty();
    assertThat(emulator.stats().injectedErrors()).isEqualTo(1);

    emulator.faults().clear();
    assertThat(ivs.listStages(b -> { }).stages()).isEmpty();
  }

  @Test
  void anOutageWindowFailsIvsCallsOnlyWhileItIsOpen() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (IvsEmulator timed = IvsEmulator.start(EmulatorSettings.builder().port(0).clock(clock).build());
        IvsRealTimeClient client = EmulatorSdkClients.sdkClient(timed)) {
      timed.faults().outageWindow(Duration.ofSeconds(10), Duration.ofSeconds(30));

      assertThat(client.listStages(b -> { }).stages()).as("before the window").isEmpty();
      clock.advance(Duration.ofSeconds(10));
      assertThatThrownBy(() -> client.listStages(b -> { })).as("inside the window")
          .isInstanceOf(IvsRealTimeException.class)
          .satisfies(e -> assertThat(((IvsRealTimeException) e).statusCode()).isEqualTo(503));
      clock.advance(Duration.ofSeconds(30));
      assertThat(client.listStages(b -> { }).stages()).as("after the window").isEmpty();
      assertThat(timed.faults().outageWindow()).hasValue(
          List.of(Instant.parse("2026-01-01T00:00:10Z"), Instant.parse("2026-01-01T00:00:40Z")));
    }
  }

  @Test
  void delaysOneOperationWithoutDelayingOthers() {
    emulator.faults().operationLatency("CreateStage", Duration.ofMillis(300));

    long createStarted = System.nanoTime();
    String arn = ivs.createStage(b -> b.name("slow")).stage().arn();
    Duration create = Duration.ofNanos(System.nanoTime() - createStarted);
    long getStarted = System.nanoTime();
    ivs.getStage(b -> b.arn(arn));
    Duration get = Duration.ofNanos(System.nanoTime() - getStarted);

    assertThat(create).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(get).isLessThan(Duration.ofMillis(300));
  }

  @Test
  void throttlesEachOperationOnItsOwnBucketAndCanBeTurnedOff() {
    emulator.quotas().rate("ListStages", 2);
    IntStream.range(0, 5).forEach(i -> ivs.createStage(b -> b.name("s" + i)));
    long listThrottled = IntStream.range(0, 4).filter(i -> throttled(() -> ivs.listStages(b -> { }))).count();

    emulator.faults().throttling(false);
    long afterSwitchOff = IntStream.range(0, 20).filter(i -> throttled(() -> ivs.listStages(b -> { }))).count();

    assertThat(listThrottled).isGreaterThanOrEqualTo(1);
    assertThat(emulator.stats().calls("CreateStage")).isEqualTo(5);
    assertThat(afterSwitchOff).isZero();
    assertThat(emulator.stats().throttled()).isEqualTo(listThrottled);
  }

  @Test
  void joinsFromManyThreadsAreCountedExactly() throws Exception {
    emulator.faults().throttling(false);
    String arn = ivs.createStage(b -> b.name("crowd")).stage().arn();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      tokens.add(ivs.createParticipantToken(b -> b.stageArn(arn).capabilities(ParticipantTokenCapability.SUBSCRIBE))
          .participantToken().token());
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<EmulatedParticipant>> joins = tokens.stream().map(t -> pool.submit(() -> emulator.join(t))).toList();
      for (Future<EmulatedParticipant> join : joins) {
        join.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(emulator.participants(arn)).hasSize(80);
    assertThat(emulator.participants(arn)).extracting(EmulatedParticipant::sessionId).containsOnly(
        ivs.getStage(b -> b.arn(arn)).stage().activeSessionId());
  }

  @Test
  void refusesToStartOnAPortInUseWithAClearMessage() {
    assertThatThrownBy(() -> IvsEmulator.start(EmulatorSettings.builder().port(emulator.port()).build()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already in use")
        .hasMessageContaining(String.valueOf(emulator.port()));
  }

  private static boolean throttled(Runnable call) {
    try {
      call.run();
      return false;
    } catch (IvsRealTimeException e) {
      if (e.statusCode() == 429) {
        return true;
      }
      throw e;
    }
  }
}
