package dev.stagefleet.emulator;

import dev.stagefleet.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.emulator.ParticipantRejectedException.Reason;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ivsrealtime.IvsRealTimeClient;
import software.amazon.awssdk.services.ivsrealtime.model.ParticipantTokenCapability;

/** Joining checks participant tokens as IVS does: API-issued and self-signed ES384 tokens. */
@Tag("wire")
class EmulatorParticipantTokenTest {
  private static final ManualClock CLOCK = new ManualClock(Instant.parse("2026-11-24T10:00:00Z"));
  private static IvsEmulator emulator;
  private static IvsRealTimeClient ivs;
  private static final KeyPair KEY = SelfSignedTokens.newKeyPair();
  private static final KeyPair OTHER_KEY = SelfSignedTokens.newKeyPair();
  private String stageArn;
  private String keyArn;

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
  void createStageAndKey() {
    emulator.reset();
    emulator.faults().throttling(false);
    stageArn = ivs.createStage(b -> b.name("tokens")).stage().arn();
    keyArn = ivs.importPublicKey(b -> b.publicKeyMaterial(SelfSignedTokens.publicKeyPem(KEY))).publicKey().arn();
  }

  @Test
  void acceptsAnApiIssuedTokenUntilItExpires() {
    String token = ivs.createParticipantToken(b -> b.stageArn(stageArn).userId("ann").duration(60)
        .capabilities(ParticipantTokenCapability.SUBSCRIBE)).participantToken().token();

    EmulatedParticipant joined = emulator.join(token);
    emulator.leave(stageArn, joined.participantId());
    CLOCK.advance(Duration.ofMinutes(61));

    assertThat(joined.userId()).isEqualTo("ann");
    assertThat(joined.publishing()).isFalse();
    assertRejected(() -> emulator.join(token), Reason.TOKEN_EXPIRED);
  }

  @Test
  void acceptsASelfSignedTokenSignedWithAnImportedKey() {
    String token = selfSigned(stageArn, "viewer-1", false, true, Duration.ofHours(12));

    EmulatedParticipant joined = emulator.join(token);

    assertThat(joined.participantId()).isEqualTo("viewer-1");
    assertThat(joined.userId()).isEqualTo("user-viewer-1");
    assertThat(joined.stageArn()).isEqualTo(stageArn);
    assertThat(emulator.participants(stageArn)).containsExactly(joined);
  }

  @Test
  void refusesAJtiThatCouldNotBeUsedAsAParticipantId() {
    // GetParticipant and the replication operations take participant ids of [a-zA-Z0-9-]* only
    String underscore = selfSigned(stageArn, "viewer_1", false, true, Duration.ofHours(12));

    assertRejected(() -> emulator.join(underscore), Reason.INVALID_TOKEN);
    assertThat(emulator.participants(stageArn)).isEmpty();
  }

  @Test
  void rejectsAnExpiredSelfSignedToken() {
    String token = SelfSignedTokens.token(KEY, keyArn, stageArn, "late", false, true,
        CLOCK.instant().minus(Duration.ofHours(2)), Duration.ofHours(1));

    assertRejected(() -> emulator.join(token), Reason.TOKEN_EXPIRED);
  }

  @Test
  void rejectsATokenLivingLongerThanFourteenDays() {
    assertRejected(() -> emulator.join(selfSigned(stageArn, "long", false, true, Duration.ofDays(15))),
        Reason.INVALID_TOKEN);
  }

  @Test
  void rejectsATokenSignedWithAnotherKey() {
    String forged = SelfSignedTokens.token(OTHER_KEY, keyArn, stageArn, "forger", true, true, CLOCK.instant(),
        Duration.ofHours(1));
    String unknownKid = SelfSignedTokens.token(OTHER_KEY, keyArn.replaceAll("/.*", "/notimported"), stageArn,
        "stranger", true, true, CLOCK.instant(), Duration.ofHours(1));

    assertRejected(() -> emulator.join(forged), Reason.BAD_SIGNATURE);
    assertRejected(() -> emulator.join(unknownKid), Reason.UNKNOWN_KEY);
  }

  @Test
  void rejectsTokensOfADeletedKey() {
    String token = selfSigned(stageArn, "early", false, true, Duration.ofHours(1));
    ivs.deletePublicKey(b -> b.arn(keyArn));

    assertRejected(() -> emulator.join(token), Reason.UNKNOWN_KEY);
  }

  @Test
  void rejectsATokenForAnotherStage() {
    String otherStage = ivs.createStage(b -> b.name("other")).stage().arn();
    String mismatched = SelfSignedTokens.token(KEY, keyArn, stageArn, otherStage.substring(otherStage.indexOf('/') + 1),
        "mixed", false, true, CLOCK.instant(), Duration.ofHours(1));
    String valid = selfSigned(stageArn, "misplaced", false, true, Duration.ofHours(1));

    assertRejected(() -> emulator.join(mismatched), Reason.WRONG_STAGE);
    assertRejected(() -> emulator.join(valid, false, otherStage), Reason.WRONG_STAGE);
  }

  @Test
  void rejectsATokenForADeletedStage() {
    String token = selfSigned(stageArn, "too-late", false, true, Duration.ofHours(1));
    ivs.deleteStage(b -> b.arn(stageArn));

    assertRejected(() -> emulator.join(token), Reason.STAGE_NOT_FOUND);
  }

  @Test
  void rejectsPublishingWithoutThePublishCapability() {
    String subscribeOnly = selfSigned(stageArn, "watcher", false, true, Duration.ofHours(1));
    String apiSubscribeOnly = ivs.createParticipantToken(b -> b.stageArn(stageArn)
        .capabilities(ParticipantTokenCapability.SUBSCRIBE)).participantToken().token();

    assertRejected(() -> emulator.join(subscribeOnly, true), Reason.MISSING_CAPABILITY);
    assertRejected(() -> emulator.join(apiSubscribeOnly, true), Reason.MISSING_CAPABILITY);
    assertThat(emulator.join(selfSigned(stageArn, "host", true, false, Duration.ofHours(1)), true).publishing())
        .isTrue();
  }

  @Test
  void aReusedTokenDropsTheOlderConnection() {
    String token = selfSigned(stageArn, "twice", false, true, Duration.ofHours(1));

    EmulatedParticipant first = emulator.join(token);
    EmulatedParticipant second = emulator.join(token);

    assertThat(second.participantId()).isEqualTo(first.participantId());
    assertThat(second.sessionId()).isEqualTo(first.sessionId());
    assertThat(emulator.participants(stageArn)).hasSize(1);
    assertThat(ivs.listParticipantEvents(b -> b.stageArn(stageArn).sessionId(first.sessionId())
        .participantId("twice")).events()).extracting(e -> e.nameAsString())
        .containsExactly("JOINED", "LEFT", "JOINED");
  }

  @Test
  void rejectsTamperedAndMalformedTokens() {
    String token = ivs.createParticipantToken(b -> b.stageArn(stageArn)).participantToken().token();
    String[] parts = token.split("\\.");
    String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];

    assertRejected(() -> emulator.join(tampered), Reason.BAD_SIGNATURE);
    assertRejected(() -> emulator.join("not.a.token"), Reason.INVALID_TOKEN);
    assertRejected(() -> emulator.join(""), Reason.INVALID_TOKEN);
  }

  @Test
  void refusesClientsBeyondTheStageQuotas() {
    emulator.quotas().publishersPerStage(1).subscribersPerStage(2);
    emulator.join(selfSigned(stageArn, "host-1", true, true, Duration.ofHours(1)), true);
    emulator.join(selfSigned(stageArn, "viewer-1", false, true, Duration.ofHours(1)));
    emulator.join(selfSigned(stageArn, "viewer-2", false, true, Duration.ofHours(1)));

    assertRejected(() -> emulator.join(selfSigned(stageArn, "host-2", true, true, Duration.ofHours(1)), true),
        Reason.QUOTA_EXCEEDED);
    assertRejected(() -> emulator.join(selfSigned(stageArn, "viewer-3", false, true, Duration.ofHours(1))),
        Reason.QUOTA_EXCEEDED);
  }

  private String selfSigned(String stage, String participantId, boolean publish, boolean subscribe,
      Duration lifetime) {
    return SelfSignedTokens.token(KEY, keyArn, stage, participantId, publish, subscribe, CLOCK.instant(), lifetime);
  }

  private static void assertRejected(ThrowingCallable join, Reason reason) {
    assertThatThrownBy(join).isInstanceOf(ParticipantRejectedException.class)
        .satisfies(e -> assertThat(((ParticipantRejectedException) e).reason()).isEqualTo(reason))
        .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
  }
}
