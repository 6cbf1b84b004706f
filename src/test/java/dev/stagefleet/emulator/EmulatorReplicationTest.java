package dev.stagefleet.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ivsrealtime.IvsRealTimeClient;
import software.amazon.awssdk.services.ivsrealtime.model.EventName;
import software.amazon.awssdk.services.ivsrealtime.model.ParticipantReplica;
import software.amazon.awssdk.services.ivsrealtime.model.ValidationException;

/** Participant replication as IVS documents it, through the real SDK: the reconnect window, events, id rules. */
class EmulatorReplicationTest {
  private static final ManualClock CLOCK = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
  private static IvsEmulator emulator;
  private static IvsRealTimeClient ivs;
  private String source;
  private String destination;
  private EmulatedParticipant host;

  @BeforeAll
  static void start() {
    emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).throttling(false).clock(CLOCK).build());
    ivs = EmulatorSdkClients.sdkClient(emulator);
  }

  @AfterAll
  static void stop() {
    ivs.close();
    emulator.close();
  }

  @BeforeEach
  void publishIntoTheSource() {
    emulator.reset();
    source = ivs.createStage(b -> b.name("origin")).stage().arn();
    destination = ivs.createStage(b -> b.name("replica")).stage().arn();
    host = emulator.join(ivs.createParticipantToken(b -> b.stageArn(source).userId("bcast")).participantToken()
        .token(), true);
  }

  private String replicationState() {
    return ivs.listParticipantReplicas(b -> b.sourceStageArn(source).participantId(host.participantId()))
        .replicas().stream().map(ParticipantReplica::replicationStateAsString).findFirst().orElse("NONE");
  }

  @Test
  void aReplicationOutlivesALeaveWithinTheReconnectWindowButNotPastIt() {
    ivs.startParticipantReplication(b -> b.sourceStageArn(source).destinationStageArn(destination)
        .participantId(host.participantId()).reconnectWindowSeconds(60));
    emulator.leave(source, host.participantId());

    CLOCK.advance(Duration.ofSeconds(59));
    assertThat(replicationState()).isEqualTo("ACTIVE");

    CLOCK.advance(Duration.ofSeconds(2));
    assertThat(replicationState()).isEqualTo("STOPPED");
  }

  @Test
  void theSourceParticipantsEventsRecordTheReplicationStartingAndStopping() {
    ivs.startParticipantReplication(b -> b.sourceStageArn(source).destinationStageArn(destination)
        .participantId(host.participantId()));
    ivs.stopParticipantReplication(b -> b.sourceStageArn(source).destinationStageArn(destination)
        .participantId(host.participantId()));

    String session = ivs.getStage(b -> b.arn(source)).stage().activeSessionId();
    assertThat(ivs.listParticipantEvents(b -> b.stageArn(source).sessionId(session)
        .participantId(host.participantId())).events())
        .extracting(e -> e.name())
        .contains(EventName.REPLICATION_STARTED, EventName.REPLICATION_STOPPED);
  }

  @Test
  void refusesAParticipantIdOutsideTheModelsPattern() {
    assertThatThrownBy(() -> ivs.startParticipantReplication(b -> b.sourceStageArn(source)
        .destinationStageArn(destination).participantId("has_underscore")))
        .isInstanceOf(ValidationException.class);
  }
}
