package dev.stagefleet.ivs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.stagefleet.emulator.EmulatedParticipant;
import dev.stagefleet.emulator.EmulatorSdkClients;
import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.emulator.SelfSignedTokens;
import dev.stagefleet.ivs.IvsService.Capability;
import dev.stagefleet.ivs.IvsService.ParticipantCount;
import dev.stagefleet.ivs.IvsService.ParticipantToken;
import dev.stagefleet.ivs.IvsService.PublicKey;
import dev.stagefleet.ivs.IvsService.Stage;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ivsrealtime.IvsRealTimeClient;

/** Every IvsService operation through the real SDK client against the emulator, IVS's rate quotas enforced. */
@Tag("wire")
class SdkIvsServiceTest {
  private static final IvsRateLimits LIMITS = new IvsRateLimits();
  private static IvsEmulator emulator;
  private static SdkIvsService ivs;

  @BeforeAll
  static void start() {
    emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build());
    ivs = SdkIvsService.forEndpoint(emulator.endpoint(), emulator.region(), LIMITS);
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
  void createsGetsListsAndDeletesStages() {
    Stage created = ivs.createStage("show-1", Map.of("stagefleet.dev/managed-by", "stagefleet"));

    assertThat(created.arn()).startsWith("arn:aws:ivs:us-east-1:123456789012:stage/");
    assertThat(created.id()).isEqualTo(created.arn().substring(created.arn().indexOf('/') + 1));
    assertThat(created.endpoints().events()).startsWith("wss://");
    assertThat(created.endpoints().whip()).startsWith("https://");
    assertThat(ivs.getStage(created.arn())).hasValueSatisfying(s -> assertThat(s.name()).isEqualTo("show-1"));
    assertThat(ivs.listStages()).singleElement().satisfies(s -> {
      assertThat(s.arn()).isEqualTo(created.arn());
      assertThat(s.tags()).containsEntry("stagefleet.dev/managed-by", "stagefleet");
    });

    ivs.deleteStage(created.arn());
    ivs.deleteStage(created.arn());

    assertThat(ivs.getStage(created.arn())).isEmpty();
    assertThat(emulator.stages()).isEmpty();
    assertThat(emulator.stats().throttled()).isZero();
  }

  @Test
  void retagsAStageSoListingsShowTheNewTags() {
    Stage stage = ivs.createStage("retag", Map.of("stagefleet.dev/managed-by", "stagefleet", "keep", "me"));

    ivs.tagResource(stage.arn(), Map.of("stagefleet.dev/managed-by", "retained"));

    assertThat(ivs.listStages()).filteredOn(s -> s.arn().equals(stage.arn())).singleElement()
        .satisfies(s -> assertThat(s.tags()).containsEntry("stagefleet.dev/managed-by", "retained")
            .containsEntry("keep", "me"));
  }

  @Test
  void listsEveryStageAcrossPages() {
    emulator.faults().throttling(false);
    try (IvsRealTimeClient seeding = EmulatorSdkClients.sdkClient(emulator)) {
      for (int i = 0; i < 105; i++) {
        String name = "seed-" + i;
        seeding.createStage(b -> b.name(name).tags(Map.of("n", name)));
      }
    }
    emulator.faults().throttling(true);
    emulator.stats().reset();

    assertThat(ivs.listStages()).hasSize(105).extracting(Stage::arn).containsExactlyElementsOf(emulator.stages());
    assertThat(emulator.stats().calls("ListStages")).isEqualTo(2);
  }

  @Test
  void countsSubscribersPublishersAndReplicasOfTheActiveSessionAcrossPages() {
    Stage stage = ivs.createStage("crowd", Map.of());
    Stage origin = ivs.createStage("origin", Map.of());
    assertThat(ivs.countConnectedParticipants(stage.arn(), activeSession(stage))).isEqualTo(ParticipantCount.NONE);

    KeyPair key = SelfSignedTokens.newKeyPair();
    String keyArn = ivs.importPublicKey(SelfSignedTokens.publicKeyPem(key), "test", Map.of()).arn();
    emulator.join(SelfSignedTokens.token(key, keyArn, stage.arn(), "host", true, true, Instant.now(),
        Duration.ofHours(1)), true);
    for (int i = 0; i < 102; i++) {
      emulator.join(SelfSignedTokens.token(key, keyArn, stage.arn(), "viewer-" + i, false, true, Instant.now(),
          Duration.ofHours(1)));
    }
    EmulatedParticipant left = emulator.join(SelfSignedTokens.token(key, keyArn, stage.arn(), "gone", false, true,
        Instant.now(), Duration.ofHours(1)));
    emulator.leave(stage.arn(), left.participantId());
    EmulatedParticipant guest = emulator.join(SelfSignedTokens.token(key, keyArn, origin.arn(), "guest", true, false,
        Instant.now(), Duration.ofHours(1)), true);
    ivs.startReplication(origin.arn(), stage.arn(), guest.participantId(), 0);
    String session = activeSession(stage);
    emulator.stats().reset();

    assertThat(ivs.countConnectedParticipants(stage.arn(), session)).isEqualTo(new ParticipantCount(102, 1, 1));
    // the session comes from ListStages (the inventory): counting spends no GetStage, a stage-class call
    assertThat(emulator.stats().calls("ListParticipants")).isEqualTo(2);
    assertThat(emulator.stats().calls("GetStage")).isZero();
    assertThat(ivs.countConnectedParticipants(origin.arn().replaceAll("/.*", "/missing"), session))
        .isEqualTo(ParticipantCount.NONE);
    assertThat(ivs.countConnectedParticipants(stage.arn(), null)).isEqualTo(ParticipantCount.NONE);
    assertThat(emulator.stats().calls("ListParticipants")).as("no session, no call").isEqualTo(3);
  }

  @Test
  void mintsParticipantTokensTheStageAccepts() {
    Stage stage = ivs.createStage("tokens", Map.of());

    ParticipantToken token = ivs.createParticipantToken(stage.arn(), Set.of(Capability.SUBSCRIBE),
        Duration.ofMinutes(90), "viewer-7", Map.of("seat", "A1"));
    EmulatedParticipant joined = emulator.join(token.token());

    assertThat(token.capabilities()).containsExactly(Capability.SUBSCRIBE);
    assertThat(token.userId()).isEqualTo("viewer-7");
    assertThat(token.expirationTime()).isCloseTo(Instant.now().plus(90, ChronoUnit.MINUTES), within(1,
        ChronoUnit.MINUTES));
    assertThat(token.toString()).doesNotContain(token.token());
    assertThat(joined.participantId()).isEqualTo(token.participantId());
    assertThat(joined.userId()).isEqualTo("viewer-7");
  }

  @Test
  void disconnectsAParticipant() {
    Stage stage = ivs.createStage("kick", Map.of());
    ParticipantToken token = ivs.createParticipantToken(stage.arn(), null, null, "troll", null);
    emulator.join(token.token());

    ivs.disconnectParticipant(stage.arn(), token.participantId(), "behave");

    assertThat(emulator.participants(stage.arn())).isEmpty();
    assertThat(ivs.countConnectedParticipants(stage.arn(), activeSession(stage))).isEqualTo(ParticipantCount.NONE);
  }

  @Test
  void importsGetsAndDeletesPublicKeys() {
    String pem = SelfSignedTokens.publicKeyPem(SelfSignedTokens.newKeyPair());

    PublicKey imported = ivs.importPublicKey(pem, "gateway-key", Map.of("stagefleet.dev/cluster", "c1"));
    PublicKey fetched = ivs.getPublicKey(imported.arn()).orElseThrow();
    ivs.deletePublicKey(imported.arn());
    ivs.deletePublicKey(imported.arn());

    assertThat(imported.arn()).contains(":public-key/");
    assertThat(fetched.name()).isEqualTo("gateway-key");
    assertThat(fetched.publicKeyMaterial()).isEqualTo(pem);
    assertThat(fetched.fingerprint()).isEqualTo(imported.fingerprint()).isNotBlank();
    assertThat(ivs.getPublicKey(imported.arn())).isEmpty();
  }

  @Test
  void startsListsAndStopsReplication() {
    Stage source = ivs.createStage("main", Map.of());
    Stage destination = ivs.createStage("shard", Map.of());
    ParticipantToken token = ivs.createParticipantToken(source.arn(), Set.of(Capability.PUBLISH), null, "host",
        null);
    emulator.join(token.token(), true);

    ivs.startReplication(source.arn(), destination.arn(), token.participantId(), 30);

    assertThat(ivs.listReplicas(source.arn(), token.participantId())).singleElement().satisfies(r -> {
      assertThat(r.destinationStageArn()).isEqualTo(destination.arn());
      assertThat(r.state()).isEqualTo("ACTIVE");
    });
    assertThat(ivs.countConnectedParticipants(destination.arn(), activeSession(destination)))
        .isEqualTo(new ParticipantCount(0, 0, 1));

    ivs.stopReplication(source.arn(), destination.arn(), token.participantId());

    assertThat(ivs.listReplicas(source.arn(), token.participantId())).isEmpty();
    assertThat(ivs.countConnectedParticipants(destination.arn(), activeSession(destination)))
        .isEqualTo(ParticipantCount.NONE);
  }

  /** The stage's active session as ListStages reports it, as the operator's inventory holds it. */
  private String activeSession(Stage stage) {
    return ivs.listStages().stream().filter(s -> s.arn().equals(stage.arn())).findFirst()
        .map(Stage::activeSessionId).orElse(null);
  }

  @Test
  void findsTheBroadcastersNewestPublishingParticipantButNotTheirReplicaOrAViewer() {
    Stage origin = ivs.createStage("origin", Map.of());
    Stage other = ivs.createStage("other", Map.of());
    ParticipantToken first = ivs.createParticipantToken(origin.arn(), Set.of(Capability.PUBLISH), null, "bcast", null);
    emulator.join(first.token(), true);
    emulator.leave(origin.arn(), first.participantId());
    ParticipantToken second = ivs.createParticipantToken(origin.arn(), Set.of(Capability.PUBLISH), null, "bcast",
        null);
    emulator.join(second.token(), true);
    emulator.join(ivs.createParticipantToken(origin.arn(), Set.of(Capability.SUBSCRIBE), null, "bcast", null).token());
    ivs.startReplication(origin.arn(), other.arn(), second.participantId(), 0);
    String session = ivs.getStage(origin.arn()).orElseThrow().activeSessionId();
    String otherSession = ivs.getStage(other.arn()).orElseThrow().activeSessionId();

    assertThat(ivs.publishingParticipant(origin.arn(), session, "bcast")).contains(second.participantId());
    assertThat(ivs.publishingParticipant(origin.arn(), session, "someone")).isEmpty();
    assertThat(ivs.publishingParticipant(other.arn(), otherSession, "bcast")).as("a replica is not the broadcaster")
        .isEmpty();
  }
}
