package dev.stagefleet.gateway;

import static dev.stagefleet.gateway.KubeFixture.active;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A self-signed gateway started before its key Secret exists waits for it, and follows its rotation. */
@Tag("apiserver")
class KeySecretWaitTest extends GatewayTestBase {
  static final String KEY_NS = "stagefleet";
  static final String KEY_NAME = "late-token-key";

  static Secret keySecret(KeyPair pair, String arn) {
    return new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(KEY_NAME).withNamespace(KEY_NS).build())
        .withStringData(Map.of(SigningKeySecret.PRIVATE_KEY, SigningKey.privateKeyPem(pair.getPrivate()),
            SigningKeySecret.PUBLIC_KEY_ARN, arn))
        .build();
  }

  /** The key id of a viewer token, after checking it is signed by {@code pair}. */
  static String keyIdOfAViewerToken(GatewayClient client, String name, KeyPair pair) throws Exception {
    var viewer = client.post(base(name) + "/viewers", null);
    assertThat(viewer.status()).as(viewer.body()).isEqualTo(201);
    JWSObject jws = JWSObject.parse(viewer.json().path("token").asText());
    assertThat(jws.verify(new ECDSAVerifier((ECPublicKey) pair.getPublic()))).as("signed by the Secret's key").isTrue();
    return jws.getHeader().getKeyID();
  }

  @Test
  void startsWithoutItsKeySecretThenBecomesReadyWhenItIsCreatedAndUsesARotatedKey() throws Exception {
    var settings = testSettings().toBuilder().tokenMode(TokenMode.SELF_SIGNED).keySecret(KEY_NS + "/" + KEY_NAME)
        .build();
    try (var server = new GatewayServer(settings, kube.client, ivs, clock).start()) {
      var client = new GatewayClient(server.port());
      String name = broadcast("late-key", 10, 3);
      stagesOn(server, name, active("lk-a"));

      var notReady = client.get("/ready");
      assertThat(notReady.status()).isEqualTo(503);
      assertThat(notReady.json().path("error").asText()).isEqualTo("key_unavailable");
      assertThat(notReady.json().path("message").asText()).contains(KEY_NS + "/" + KEY_NAME, "keys create");
      var refused = client.post(base(name) + "/viewers", null);
      assertThat(refused.status()).as(refused.body()).isEqualTo(503);
      assertThat(refused.json().path("message").asText()).contains(KEY_NS + "/" + KEY_NAME);

      KeyPair first = SigningKey.generateKeyPair();
      String firstArn = "arn:aws:ivs:us-east-1:123456789012:public-key/first";
      kube.client.resource(keySecret(first, firstArn)).create();
      await().atMost(Duration.ofSeconds(10)).until(() -> client.get("/ready").status() == 200);
      assertThat(keyIdOfAViewerToken(client, name, first)).isEqualTo(firstArn);

      KeyPair second = SigningKey.generateKeyPair();
      String secondArn = "arn:aws:ivs:us-east-1:123456789012:public-key/second";
      kube.client.resource(keySecret(second, secondArn)).update();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(keyIdOfAViewerToken(client, name, second)).isEqualTo(secondArn));
      assertThat(client.get("/ready").status()).isEqualTo(200);
    }
  }

  @Test
  void namesWhatIsWrongWithAnIncompleteKeySecret() {
    kube.client.resource(new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName("half-key").withNamespace(KEY_NS).build())
        .withStringData(Map.of(SigningKeySecret.PUBLIC_KEY_ARN, "arn:aws:ivs:us-east-1:123456789012:public-key/x"))
        .build()).create();
    var settings = testSettings().toBuilder().tokenMode(TokenMode.SELF_SIGNED).keySecret(KEY_NS + "/half-key").build();
    try (var server = new GatewayServer(settings, kube.client, ivs, clock).start()) {
      var ready = new GatewayClient(server.port()).get("/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().path("message").asText()).contains(KEY_NS + "/half-key", "privateKey");
    }
  }
}
