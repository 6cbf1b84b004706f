package dev.stagefleet.ivs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.ivs.IvsRateLimits.OperationClass;
import dev.stagefleet.ivs.IvsService.Capability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** One shared limiter per operation keeps every caller together under IVS's rate quotas. */
@Tag("wire")
class IvsRateLimitsTest {

  @Test
  void eightThreadsHammeringIvsNeverSeeA429() throws Exception {
    IvsRateLimits shared = new IvsRateLimits();
    try (IvsEmulator emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build());
        SdkIvsService operator = SdkIvsService.forEndpoint(emulator.endpoint(), emulator.region(), shared);
        SdkIvsService gateway = SdkIvsService.forEndpoint(emulator.endpoint(), emulator.region(), shared)) {
      String arn = operator.createStage("hammered", Map.of()).arn();
      emulator.join(operator.createParticipantToken(arn, null, null, "host", null).token(), true);
      String session = operator.listStages().stream().filter(s -> s.arn().equals(arn)).findFirst().orElseThrow()
          .activeSessionId();
      long deadline = System.nanoTime() + Duration.ofMillis(2500).toNanos();
      AtomicInteger calls = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        SdkIvsService client = t % 2 == 0 ? operator : gateway;
        int role = t % 4;
        workers.add(pool.submit(() -> {
          while (System.nanoTime() < deadline) {
            switch (role) {
              case 0, 1 -> client.createParticipantToken(arn, Set.of(Capability.SUBSCRIBE), Duration.ofMinutes(5),
                  null, null);
              case 2 -> client.getStage(arn);
              default -> client.countConnectedParticipants(arn, session);
            }
            calls.incrementAndGet();
          }
          return null;
        }));
      }
      try {
        for (Future<?> worker : workers) {
          worker.get();
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(emulator.stats().throttled()).isZero();
      assertThat(emulator.stats().calls("CreateParticipantToken")).isGreaterThan(50);
      assertThat(emulator.stats().calls("GetStage")).isGreaterThan(5);
      assertThat(emulator.stats().calls("ListParticipants")).isGreaterThan(2);
      assertThat(calls.get()).isPositive();
    }
  }

  @Test
  void spreadsPermitsEvenlyInsteadOfBursting() {
    IvsRateLimits limits = new IvsRateLimits(Map.of(OperationClass.KEY, 20.0), Duration.ofSeconds(5));

    long started = System.nanoTime();
    for (int i = 0; i < 6; i++) {
      assertThat(limits.acquire("ImportPublicKey")).isTrue();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

    // 6 permits at 20/s, one per 50 ms: the last comes no sooner than 5 intervals after the first
    assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void givesUpWhenNoPermitComesWithinTheMaximumWait() {
    IvsRateLimits limits = new IvsRateLimits(Map.of(OperationClass.STAGE, 0.5), Duration.ofMillis(100));

    assertThat(limits.acquire("CreateStage")).isTrue();
    assertThat(limits.acquire("CreateStage")).isFalse();
  }

  @Test
  void eachOperationHasAQuotaOfItsOwn() {
    // IVS: "CreateStage, DeleteStage, GetStage, UpdateStage, ListStages: 5 TPS each"
    IvsRateLimits limits = new IvsRateLimits(Map.of(OperationClass.STAGE, 0.5), Duration.ofMillis(100));

    assertThat(limits.acquire("ListStages")).isTrue();
    assertThat(limits.acquire("GetStage")).isTrue();
    assertThat(limits.acquire("CreateStage")).isTrue();
    assertThat(limits.acquire("ListStages")).isFalse();
  }

  @Test
  void mapsOperationsToIvsQuotaClasses() {
    assertThat(OperationClass.of("CreateStage")).isEqualTo(OperationClass.STAGE);
    assertThat(OperationClass.of("ListParticipants")).isEqualTo(OperationClass.PARTICIPANT);
    assertThat(OperationClass.of("CreateParticipantToken")).isEqualTo(OperationClass.TOKEN);
    assertThat(OperationClass.of("ImportPublicKey")).isEqualTo(OperationClass.KEY);
    assertThat(OperationClass.of("TagResource")).isEqualTo(OperationClass.TAG);
    assertThat(OperationClass.of("StartParticipantReplication")).isEqualTo(OperationClass.REPLICATION);
    assertThat(new IvsRateLimits().callsPerSecond(OperationClass.TOKEN)).isEqualTo(50.0);
  }
}
