package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.Endpoints;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.ivs.SdkIvsService;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Tokens from the gateway, in both modes, accepted by the IVS emulator's token checks. */
@Tag("apiserver")
class EmulatorTokensTest extends GatewayTestBase {
  static IvsEmulator emulator;
  static SdkIvsService emulatorIvs;
  static SelfSignedTokenMinter importedKeyMinter;

  @BeforeAll
  static void startEmulator() {
    emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build());
    emulatorIvs = SdkIvsService.forEndpoint(emulator.endpoint(), emulator.region(), new IvsRateLimits());
    var imported = emulatorIvs.importPublicKey(SigningKey.publicKeyPem(keyPair.getPublic()), "gateway-test", Map.of());
    importedKeyMinter = new SelfSignedTokenMinter(new SigningKey((ECPrivateKey) keyPair.getPrivate(),
        imported.arn()), clock);
  }

  @AfterAll
  static void stopEmulator() {
    if (emulatorIvs != null) {
      emulatorIvs.close();
    }
    if (emulator != null) {
      emulator.close();
    }
  }

  /** A stage created in the emulator and written into the broadcast's status, as the operator would. */
  static StageStatus emulatedStage(String name) {
    IvsService.Stage stage = emulatorIvs.createStage(name, Map.of("stagefleet.dev/managed-by", "stagefleet"));
    return new StageStatus(stage.id(), stage.arn(), StageStatus.ACTIVE, 0, "2026-01-01T00:00:00Z",
        new Endpoints(stage.endpoints().events(), stage.endpoints().whip()), null);
  }

  @Test
  void selfSignedTokensJoinEmulatedStagesWithTheRightCapabilities() {
    try (var server = new GatewayServer(testSettings(), kube.client, clock, importedKeyMinter)
        .start()) {
      var client = new GatewayClient(server.port());
      String name = broadcast("emu-self", 10, 3);
      StageStatus stage = emulatedStage(name + "-1");
      stagesOn(server, name, stage);

      var viewer = client.post(base(name) + "/viewers", null).json();
      var watching = emulator.join(viewer.path("token").asText());
      assertThat(watching.stageArn()).isEqualTo(stage.getArn());
      assertThat(watching.participantId()).isEqualTo(viewer.path("participantId").asText());
      assertThat(watching.publishing()).isFalse();
      String secondViewerToken = client.post(base(name) + "/viewers", null).json().path("token").asText();
      assertThatThrownBy(() -> emulator.join(secondViewerToken, true)).as("a viewer cannot publish")
          .hasMessageContaining("PUBLISH capability");

      var stages = client.get(base(name) + "/stages", "x-api-key", "key-" + name).json().path("stages");
      var broadcaster = emulator.join(stages.get(0).path("token").asText(), true);
      assertThat(broadcaster.publishing()).isTrue();
      assertThat(broadcaster.userId()).isEqualTo("broadcaster");
      assertThat(emulator.participants(stage.getArn())).hasSize(2);
    }
  }

  @Test
  void apiModeTokensJoinEmulatedStages() {
    var settings = testSettings().toBuilder().tokenMode(TokenMode.API).build();
    try (var server = new GatewayServer(settings, kube.client, emulatorIvs, clock).start()) {
      var client = new GatewayClient(server.port());
      String name = broadcast("emu-api", 10, 3);
      StageStatus stage = emulatedStage(name + "-1");
      stagesOn(server, name, stage);
      long before = emulator.stats().calls("CreateParticipantToken");

      var viewer = client.post(base(name) + "/viewers", null).json();
      var watching = emulator.join(viewer.path("token").asText());
      assertThat(watching.stageArn()).isEqualTo(stage.getArn());
      assertThat(watching.participantId()).isEqualTo(viewer.path("participantId").asText());

      var ticket = client.post(base(name) + "/ws-ticket", null, "x-api-key", "key-" + name).json();
      var socket = client.socket(ticket.path("url").asText());
      String publishToken = socket.next("snapshot").path("data").path("stages").get(0).path("token").asText();
      assertThat(emulator.join(publishToken, true).publishing()).isTrue();
      assertThat(emulator.stats().calls("CreateParticipantToken") - before).isEqualTo(2);
      socket.close();
    }
  }

  @Test
  void aKeySecretMadeByKeysCreateSignsTokensTheEmulatorAccepts() {
    var secret = SigningKeySecret.create(emulatorIvs, "keys-create-test", "made-key", "stagefleet-system");
    String yaml = SigningKeySecret.yaml(secret);
    assertThat(yaml).contains("kind: \"Secret\"").contains("privateKey").contains("publicKeyArn")
        .contains("BEGIN PRIVATE KEY").doesNotContain("BEGIN PUBLIC KEY");
    kube.client.resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal(yaml,
        io.fabric8.kubernetes.api.model.Secret.class)).create();
    var settings = testSettings().toBuilder().tokenMode(TokenMode.SELF_SIGNED).keySecret("stagefleet-system/made-key")
        .build();
    try (var server = new GatewayServer(settings, kube.client, null, clock).start()) {
      var client = new GatewayClient(server.port());
      String name = broadcast("emu-keys", 10, 3);
      StageStatus stage = emulatedStage(name + "-1");
      stagesOn(server, name, stage);
      var viewer = client.post(base(name) + "/viewers", null).json();
      assertThat(emulator.join(viewer.path("token").asText()).stageArn()).isEqualTo(stage.getArn());
    }
  }

  @Test
  void keysCreateOnTheCommandLineImportsIntoTheEmulatorAndPrintsAnApplicableSecret() {
    var run = GatewayCommandLineTest.run("keys", "create", "--ivs-endpoint", emulator.endpoint().toString(),
        "--region", emulator.region(), "--name", "cli-key", "--key-secret", "stagefleet-system/cli-key");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("imported public key arn:aws:ivs:")
        .contains("--key-secret stagefleet-system/cli-key");
    var secret = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(run.out(),
        io.fabric8.kubernetes.api.model.Secret.class);
    assertThat(secret.getMetadata().getNamespace()).isEqualTo("stagefleet-system");
    var key = SigningKeySecret.read(secret, "cli-key");
    assertThat(emulatorIvs.getPublicKey(key.publicKeyArn())).isPresent();
    StageStatus stage = emulatedStage("cli-key-stage");
    var token = new SelfSignedTokenMinter(key, clock).mint(new TokenMinter.TokenRequest(new TokenMinter.StageRef(
        stage.getArn(), stage.getId(), stage.getEndpoints().getEvents(), stage.getEndpoints().getWhip()),
        IvsService.Capability.SUBSCRIBE, null, null, Duration.ofMinutes(5)));
    assertThat(emulator.join(token.token()).stageArn()).isEqualTo(stage.getArn());
  }

  @Test
  void answeringWhichStagesExistNeverCallsIvs() {
    try (var server = new GatewayServer(testSettings(), kube.client, clock, importedKeyMinter)
        .start()) {
      var client = new GatewayClient(server.port());
      String name = broadcast("emu-quiet", 10, 3);
      stagesOn(server, name, emulatedStage(name + "-1"));
      emulator.stats().reset();
      for (int i = 0; i < 5; i++) {
        assertThat(client.get(base(name) + "/stages", "x-api-key", "key-" + name).status()).isEqualTo(200);
        assertThat(client.post(base(name) + "/viewers", null).status()).isEqualTo(201);
      }
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
          .until(() -> emulator.stats().callsByOperation().values().stream().mapToLong(Long::longValue).sum() == 0);
    }
  }
}
