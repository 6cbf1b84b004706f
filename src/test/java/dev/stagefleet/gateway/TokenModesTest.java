package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.GatewayClient.assertError;
import static dev.stagefleet.gateway.KubeFixture.active;
import static dev.stagefleet.gateway.KubeFixture.arn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.crypto.Es384Provider;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import dev.stagefleet.ivs.IvsException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("apiserver")
class TokenModesTest extends GatewayTestBase {

  @Test
  void apiModeMintsThroughCreateParticipantTokenAndCountsByMode() {
    var settings = testSettings().toBuilder().tokenMode(TokenMode.API).build();
    try (var api = new GatewayServer(settings, kube.client, ivs, clock).start()) {
      var client = new GatewayClient(api.port());
      String name = broadcast("api-mode", 10, 3);
      ivs.stages.add(arn("am-a"));
      stagesOn(api, name, active("am-a"));
      int before = ivs.createParticipantTokenCalls.get();

      var viewer = client.post(base(name) + "/viewers", null);
      assertThat(viewer.status()).as(viewer.body()).isEqualTo(201);
      String token = viewer.json().path("token").asText();
      assertThat(ivs.tokens).containsEntry(token, arn("am-a") + " [SUBSCRIBE]");
      var stagesReply = client.get(base(name) + "/stages", "x-api-key", "key-" + name);
      assertThat(ivs.tokens.get(stagesReply.json().path("stages").get(0).path("token").asText()))
          .isEqualTo(arn("am-a") + " [PUBLISH]");
      assertThat(ivs.createParticipantTokenCalls.get() - before).isEqualTo(2);
      assertThat(ivs.otherCalls).hasValue(0);
      assertThat(new GatewayClient(api.metricsPort()).get("/metrics").body())
          .contains("stagefleet_gateway_tokens_total{capability=\"subscribe\",mode=\"api\"} 1.0")
          .contains("stagefleet_gateway_signer_info{provider=\"ivs\"} 1");
    }
  }

  @Test
  void ivsFailuresBecome503sNotServerCrashes() {
    var settings = testSettings().toBuilder().tokenMode(TokenMode.API).build();
    try (var api = new GatewayServer(settings, kube.client, ivs, clock).start()) {
      var client = new GatewayClient(api.port());
      String name = broadcast("api-down", 10, 3);
      stagesOn(api, name, active("ad-a"));
      // IVS no longer knows the stage
      assertError(client.post(base(name) + "/stage-token", "{\"stageArn\":\"" + arn("ad-a") + "\"}",
          "x-api-key", "key-" + name), 404);
      ivs.stages.add(arn("ad-a"));
      ivs.failure = new IvsException.Unavailable("ThrottlingException", 429, "Rate exceeded", null);
      try {
        var viewer = client.post(base(name) + "/viewers", null);
        assertError(viewer, 503);
        assertThat(viewer.header("Retry-After")).isNotBlank();
        assertThat(viewer.body()).doesNotContain("Rate exceeded");
        // the failed join does not hold a place on the stage
        ivs.failure = null;
        assertThat(client.post(base(name) + "/viewers", null).status()).isEqualTo(201);
        assertThat(api.directory().find(new BroadcastKey(NS, name))).isPresent();
      } finally {
        ivs.failure = null;
      }
    }
  }

  @Test
  void selfSignedModeReadsItsKeyFromASecret() {
    kube.client.secrets().inNamespace("stagefleet-system").resource(new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName("token-key").withNamespace("stagefleet-system").build())
        .withStringData(Map.of("privateKey", SigningKey.privateKeyPem(keyPair.getPrivate()),
            "publicKeyArn", KEY_ARN + "\n"))
        .build()).create();
    var settings = testSettings().toBuilder().tokenMode(TokenMode.SELF_SIGNED)
        .keySecret("stagefleet-system/token-key").build();
    try (var fromSecret = new GatewayServer(settings, kube.client, ivs, clock).start()) {
      var client = new GatewayClient(fromSecret.port());
      assertThat(client.get("/ready").status()).as("the Secret existed at start, so its key is in use").isEqualTo(200);
      String name = broadcast("secret-key", 10, 3);
      stagesOn(fromSecret, name, active("sk-a"));
      var viewer = client.post(base(name) + "/viewers", null);
      assertThat(viewer.status()).isEqualTo(201);
      assertThat(verifiedClaims(viewer.json().path("token").asText())).containsEntry("resource", arn("sk-a"));
      // the fastest provider here (AWS-LC on Linux x86_64 and aarch64) is the one named
      assertThat(new GatewayClient(fromSecret.metricsPort()).get("/metrics").body())
          .contains("stagefleet_gateway_signer_info{provider=\""
          + Es384Provider.fastest().name() + "\"} 1");
    }
  }

  @Test
  void selfSignedModeReadsAPemFileAndExplainsWhatIsMissing(@TempDir Path dir) throws Exception {
    Path pem = dir.resolve("key.pem");
    Files.writeString(pem, SigningKey.privateKeyPem(keyPair.getPrivate()));
    var fromFile = SigningKey.fromKeyFile(testSettings().toBuilder().tokenMode(TokenMode.SELF_SIGNED)
        .keyFile(pem).keyArn(KEY_ARN).build());
    assertThat(fromFile.publicKeyArn()).isEqualTo(KEY_ARN);

    assertThatThrownBy(() -> TokenMinter.forSettings(testSettings(), kube.client, null, Clock.systemUTC()))
        .hasMessageContaining("--key-secret").hasMessageContaining("keys create");
    assertThatThrownBy(() -> SigningKey.fromKeyFile(
        testSettings().toBuilder().tokenMode(TokenMode.SELF_SIGNED).keyFile(pem).build()))
        .hasMessageContaining("--key-arn");
    assertThatThrownBy(() -> TokenMinter.forSettings(
        testSettings().toBuilder().tokenMode(TokenMode.SELF_SIGNED).keySecret("no-slash").build(), kube.client, null,
        Clock.systemUTC()))
        .hasMessageContaining("namespace/name");
    assertThatThrownBy(() -> SigningKey.fromKeyFile(
        testSettings().toBuilder().tokenMode(TokenMode.SELF_SIGNED).keyFile(dir.resolve("absent.pem")).keyArn(KEY_ARN)
            .build()))
        .hasMessageContaining("cannot read");
  }
}
