package dev.stagefleet.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ivsrealtime.IvsRealTimeClient;
import software.amazon.awssdk.services.ivsrealtime.model.AccessDeniedException;
import software.amazon.awssdk.services.ivsrealtime.model.ConflictException;
import software.amazon.awssdk.services.ivsrealtime.model.IvsRealTimeException;
import software.amazon.awssdk.services.ivsrealtime.model.ParticipantState;
import software.amazon.awssdk.services.ivsrealtime.model.ParticipantSummary;
import software.amazon.awssdk.services.ivsrealtime.model.ParticipantTokenCapability;
import software.amazon.awssdk.services.ivsrealtime.model.PendingVerificationException;
import software.amazon.awssdk.services.ivsrealtime.model.ReplicationType;
import software.amazon.awssdk.services.ivsrealtime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ivsrealtime.model.ServiceQuotaExceededException;
import software.amazon.awssdk.services.ivsrealtime.model.Stage;
import software.amazon.awssdk.services.ivsrealtime.model.StageSummary;
import software.amazon.awssdk.services.ivsrealtime.model.ValidationException;

/** The AWS SDK for Java, unmodified, works against the emulator: shapes, pagination, sessions and errors. */
@Tag("wire")
class IvsEmulatorSdkTest {
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
    emulator.faults().throttling(false);
  }

  @Test
  void createsGetsUpdatesAndDeletesAStage() {
    Stage created = ivs.createStage(b -> b.name("show-1").tags(Map.of("owner", "me"))).stage();
    Stage fetched = ivs.getStage(b -> b.arn(created.arn())).stage();
    Stage renamed = ivs.updateStage(b -> b.arn(created.arn()).name("show-2")).stage();
    ivs.deleteStage(b -> b.arn(created.arn()));

    assertThat(fetched.name()).isEqualTo("show-1");
    assertThat(fetched.tags()).containsEntry("owner", "me");
    assertThat(fetched.endpoints().events()).isEqualTo("wss://global.events.live-video.net");
    assertThat(fetched.activeSessionId()).isNull();
    assertThat(renamed.name()).isEqualTo("show-2");
    assertThatThrownBy(() -> ivs.getStage(b -> b.arn(created.arn()))).isInstanceOf(ResourceNotFoundException.class)
        .satisfies(e -> assertThat(((IvsRealTimeException) e).statusCode()).isEqualTo(404));
  }

  @Test
  void pagesThroughMoreThanAHundredStagesWithOpaqueTokens() {
    IntStream.range(0, 110).forEach(i -> ivs.createStage(b -> b.name("s" + i)));

    var first = ivs.listStages(b -> b.maxResults(100));
    List<StageSummary> all = ivs.listStagesPaginator(b -> b.maxResults(100)).stream()
        .flatMap(page -> page.stages().stream()).toList();

    assertThat(first.stages()).hasSize(100);
    assertThat(first.nextToken()).isNotBlank().doesNotContain("100");
    assertThat(all).hasSize(110).extracting(StageSummary::arn).doesNotHaveDuplicates()
        .containsExactlyElementsOf(emulator.stages());
    assertThatThrownBy(() -> ivs.listStages(b -> b.maxResults(101))).isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> ivs.listStages(b -> b.nextToken("forged"))).isInstanceOf(ValidationException.class);
  }

  @Test
  void sessionsStartWithTheFirstParticipantAndEndAfterTheLastLeaves() {
    String arn = ivs.createStage(b -> b.name("live")).stage().arn();
    String publisherToken = ivs.createParticipantToken(b -> b.stageArn(arn).userId("host")).participantToken().token();
    String viewerToken = ivs.createParticipantToken(b -> b.stageArn(arn).userId("viewer")
        .capabilities(ParticipantTokenCapability.SUBSCRIBE)).participantToken().token();

    EmulatedParticipant host = emulator.join(publisherToken, true);
    EmulatedParticipant viewer = emulator.join(viewerToken);
    String sessionId = ivs.getStage(b -> b.arn(arn)).stage().activeSessionId();
    List<ParticipantSummary> connected = ivs.listParticipants(b -> b.stageArn(arn).sessionId(sessionId)
        .filterByState(ParticipantState.CONNECTED)).participants();
    List<ParticipantSummary> publishers = ivs.listParticipants(b -> b.stageArn(arn).sessionId(sessionId)
        .filterByPublished(true)).participants();
    emulator.leave(arn, viewer.participantId());
    emulator.leave(arn, host.participantId());

    assertThat(sessionId).matches("st-[a-zA-Z0-9]{13}").isEqualTo(host.sessionId()).isEqualTo(viewer.sessionId());
    assertThat(connected).extracting(ParticipantSummary::userId).containsExactly("host", "viewer");
    assertThat(publishers).extracting(ParticipantSummary::participantId).containsExactly(host.participantId());
    assertThat(ivs.getStage(b -> b.arn(arn)).stage().activeSessionId()).isNull();
    var session = ivs.getStageSession(b -> b.stageArn(arn).sessionId(sessionId)).stageSession();
    assertThat(session.endTime()).isAfterOrEqualTo(session.startTime());
    assertThat(ivs.listStageSessions(b -> b.stageArn(arn)).stageSessions()).hasSize(1);
    assertThat(ivs.getParticipant(b -> b.stageArn(arn).sessionId(sessionId).participantId(viewer.participantId()))
        .participant().stateAsString()).isEqualTo("DISCONNECTED");
    assertThat(ivs.listParticipantEvents(b -> b.stageArn(arn).sessionId(sessionId)
        .participantId(host.participantId())).events())
        .extracting(e -> e.nameAsString()).containsExactly("JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT");
  }

  @Test
  void allowsOnlyOneParticipantFilterPerCall() {
    String arn = ivs.createStage(b -> b.name("live")).stage().arn();
    emulator.join(ivs.createParticipantToken(b -> b.stageArn(arn)).participantToken().token());
    String sessionId = ivs.getStage(b -> b.arn(arn)).stage().activeSessionId();

    assertThatThrownBy(() -> ivs.listParticipants(b -> b.stageArn(arn).sessionId(sessionId)
        .filterByState(ParticipantState.CONNECTED).filterByPublished(false)))
        .isInstanceOf(ValidationException.class).hasMessageContaining("Only one of");
  }

  @Test
  void pagesParticipantsAHundredAtATime() {
    String arn = ivs.createStage(b -> b.name("big")).stage().arn();
    KeyPair key = SelfSignedTokens.newKeyPair();
    String keyArn = ivs.importPublicKey(b -> b.publicKeyMaterial(SelfSignedTokens.publicKeyPem(key))).publicKey()
        .arn();
    for (int i = 0; i < 105; i++) {
      emulator.join(SelfSignedTokens.token(key, keyArn, arn, "viewer-" + i, false, true, java.time.Instant.now(),
          java.time.Duration.ofHours(1)));
    }
    String sessionId = ivs.getStage(b -> b.arn(arn)).stage().activeSessionId();

    List<ParticipantSummary> all = ivs.listParticipantsPaginator(b -> b.stageArn(arn).sessionId(sessionId)
        .filterByState(ParticipantState.CONNECTED).maxResults(100)).stream()
        .flatMap(page -> page.participants().stream()).toList();

    assertThat(all).hasSize(105).extracting(ParticipantSummary::participantId).doesNotHaveDuplicates();
  }

  @Test
  void disconnectParticipantDropsItAndRevokesItsToken() {
    String arn = ivs.createStage(b -> b.name("live")).stage().arn();
    String token = ivs.createParticipantToken(b -> b.stageArn(arn)).participantToken().token();
    EmulatedParticipant viewer = emulator.join(token);

    ivs.disconnectParticipant(b -> b.stageArn(arn).participantId(viewer.participantId()).reason("bye"));

    assertThat(emulator.participants(arn)).isEmpty();
    assertThatThrownBy(() -> emulator.join(token)).isInstanceOf(ParticipantRejectedException.class)
        .satisfies(e -> assertThat(((ParticipantRejectedException) e).reason())
            .isEqualTo(ParticipantRejectedException.Reason.PARTICIPANT_DISCONNECTED));
    assertThatThrownBy(() -> ivs.disconnectParticipant(b -> b.stageArn(arn).participantId("nobody")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void deletingAStageDisconnectsEveryoneAndEndsTheSession() {
    String arn = ivs.createStage(b -> b.name("live")).stage().arn();
    EmulatedParticipant viewer = emulator.join(ivs.createParticipantToken(b -> b.stageArn(arn)).participantToken()
        .token());

    ivs.deleteStage(b -> b.arn(arn));

    assertThat(emulator.participants(arn)).isEmpty();
    assertThat(emulator.stages()).isEmpty();
    assertThat(viewer.sessionId()).isNotNull();
  }

  @Test
  void importsListsAndDeletesPublicKeysWithinTheQuotaOfThree() {
    List<KeyPair> pairs = IntStream.range(0, 4).mapToObj(i -> SelfSignedTokens.newKeyPair()).toList();
    var imported = ivs.importPublicKey(b -> b.publicKeyMaterial(SelfSignedTokens.publicKeyPem(pairs.get(0)))
        .name("gateway").tags(Map.of("k", "v"))).publicKey();
    ivs.importPublicKey(b -> b.publicKeyMaterial(SelfSignedTokens.publicKeyPem(pairs.get(1))));
    ivs.importPublicKey(b -> b.publicKeyMaterial(SelfSignedTokens.publicKeyPem(pairs.get(2))));

    assertThat(imported.arn()).matches("arn:aws:ivs:us-east-1:123456789012:public-key/[a-zA-Z0-9]+");
    assertThat(imported.fingerprint()).isNotBlank();
    assertThat(ivs.getPublicKey(b -> b.arn(imported.arn())).publicKey().name()).isEqualTo("gateway");
    assertThat(ivs.listPublicKeys(b -> b.maxResults(2)).nextToken()).isNotNull();
    assertThat(ivs.listPublicKeysPaginator(b -> b.maxResults(2)).stream()
        .mapToLong(page -> page.publicKeys().size()).sum()).isEqualTo(3);
    assertThatThrownBy(() -> ivs.importPublicKey(b -> b.publicKeyMaterial(
        SelfSignedTokens.publicKeyPem(pairs.get(3))))).isInstanceOf(ServiceQuotaExceededException.class)
        .satisfies(e -> assertThat(((IvsRealTimeException) e).statusCode()).isEqualTo(402));
    ivs.deletePublicKey(b -> b.arn(imported.arn()));
    assertThatThrownBy(() -> ivs.importPublicKey(b -> b.publicKeyMaterial(
        SelfSignedTokens.publicKeyPem(pairs.get(1))))).isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> ivs.importPublicKey(b -> b.publicKeyMaterial("not a key")))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> ivs.getPublicKey(b -> b.arn(imported.arn())))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void replicatesAPublisherIntoAnotherStageUpToFiveTimes() {
    String source = ivs.createStage(b -> b.name("main")).stage().arn();
    List<String> destinations = IntStream.range(0, 6)
        .mapToObj(i -> ivs.createStage(b -> b.name("shard" + i)).stage().arn()).toList();
    EmulatedParticipant host = emulator.join(ivs.createParticipantToken(b -> b.stageArn(source)).participantToken()
        .token(), true);

    for (String destination : destinations.subList(0, 5)) {
      ivs.startParticipantReplication(b -> b.sourceStageArn(source).destinationStageArn(destination)
          .participantId(host.participantId()));
    }

    String destinationSession = ivs.getStage(b -> b.arn(destinations.get(0))).stage().activeSessionId();
    ParticipantSummary replica = ivs.listParticipants(b -> b.stageArn(destinations.get(0))
        .sessionId(destinationSession)).participants().get(0);
    assertThat(replica.replicationType()).isEqualTo(ReplicationType.REPLICA);
    assertThat(replica.sourceStageArn()).isEqualTo(source);
    assertThat(ivs.listParticipantReplicas(b -> b.sourceStageArn(source).participantId(host.participantId()))
        .replicas()).hasSize(5).allSatisfy(r -> assertThat(r.replicationStateAsString()).isEqualTo("ACTIVE"));
    assertThatThrownBy(() -> ivs.startParticipantReplication(b -> b.sourceStageArn(source)
        .destinationStageArn(destinations.get(5)).participantId(host.participantId())))
        .isInstanceOf(ServiceQuotaExceededException.class);
    assertThatThrownBy(() -> ivs.startParticipantReplication(b -> b.sourceStageArn(source)
        .destinationStageArn(destinations.get(0)).participantId(host.participantId())))
        .isInstanceOf(ConflictException.class);

    ivs.stopParticipantReplication(b -> b.sourceStageArn(source).destinationStageArn(destinations.get(0))
        .participantId(host.participantId()));

    assertThat(emulator.participants(destinations.get(0))).isEmpty();
    assertThat(ivs.listParticipantReplicas(b -> b.sourceStageArn(source).participantId(host.participantId()))
        .replicas()).hasSize(4);
  }

  @Test
  void tagsAndUntagsStagesThroughTheTagsRoutes() {
    String arn = ivs.createStage(b -> b.name("t")).stage().arn();

    ivs.tagResource(b -> b.resourceArn(arn).tags(Map.of("a", "1", "b", "2")));
    ivs.untagResource(b -> b.resourceArn(arn).tagKeys("a"));

    assertThat(ivs.listTagsForResource(b -> b.resourceArn(arn)).tags()).isEqualTo(Map.of("b", "2"));
    assertThatThrownBy(() -> ivs.tagResource(b -> b.resourceArn(arn).tags(Map.of("aws:x", "1"))))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> ivs.listTagsForResource(b -> b.resourceArn(arn.replaceAll("/.*", "/missing"))))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void enforcesTheStageQuotaWith402() {
    emulator.quotas().stages(2);
    ivs.createStage(b -> b.name("a"));
    ivs.createStage(b -> b.name("b"));

    assertThatThrownBy(() -> ivs.createStage(b -> b.name("c"))).isInstanceOf(ServiceQuotaExceededException.class)
        .hasMessageContaining("Stage quota");
  }

  @Test
  void validatesRequestsAsIvsDoes() {
    String arn = ivs.createStage(b -> b.name("v")).stage().arn();

    assertThatThrownBy(() -> ivs.createStage(b -> b.name("bad name!"))).isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> ivs.createParticipantToken(b -> b.stageArn(arn).duration(20161)))
        .isInstanceOf(ValidationException.class).hasMessageContaining("duration");
    assertThatThrownBy(() -> ivs.createParticipantToken(b -> b.stageArn(arn)
        .attributes(Map.of("big", "x".repeat(1100))))).isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> ivs.createParticipantToken(b -> b.stageArn(arn.replaceAll("/.*", "/gone"))))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void emulatesAccessDeniedAndPendingVerification() {
    emulator.faults().pendingVerification(true);
    assertThatThrownBy(() -> ivs.createStage(b -> b.name("x"))).isInstanceOf(PendingVerificationException.class);
    assertThat(ivs.listStages(b -> { }).stages()).isEmpty();

    emulator.faults().clear().accessDenied(true);
    assertThatThrownBy(() -> ivs.listStages(b -> { })).isInstanceOf(AccessDeniedException.class)
        .satisfies(e -> assertThat(((IvsRealTimeException) e).statusCode()).isEqualTo(403));
  }

  @Test
  void throttlesPastTheRateQuotaWith429() {
    emulator.faults().throttling(true);

    long throttled = IntStream.range(0, 8).filter(i -> {
      try {
        ivs.getStage(b -> b.arn("arn:aws:ivs:us-east-1:123456789012:stage/missing"));
        return false;
      } catch (ResourceNotFoundException e) {
        return false;
      } catch (IvsRealTimeException e) {
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.isThrottlingException()).isTrue();
        return true;
      }
    }).count();

    assertThat(throttled).isGreaterThanOrEqualTo(1);
    assertThat(emulator.stats().throttled()).isEqualTo(throttled);
    assertThat(emulator.stats().calls("GetStage")).isEqualTo(8);
  }
}
