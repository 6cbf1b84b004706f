package dev.stagefleet.gateway;

import dev.stagefleet.ivs.IvsService;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Kubernetes Secret holding the gateway's signing key: {@code privateKey} (PKCS#8 PEM) and {@code publicKeyArn}
 * (the ARN IVS gave its imported public half).
 */
public final class SigningKeySecret {
  public static final String PRIVATE_KEY = "privateKey";
  public static final String PUBLIC_KEY_ARN = "publicKeyArn";

  private SigningKeySecret() {
  }

  /**
   * Generates a P-384 key pair, imports its public half into IVS under {@code keyName}, and returns the Secret that
   * holds the private half and the public key's ARN.
   */
  public static Secret create(IvsService ivs, String keyName, String secretName, String namespace) {
    KeyPair pair = SigningKey.generateKeyPair();
    IvsService.PublicKey imported = ivs.importPublicKey(SigningKey.publicKeyPem(pair.getPublic()), keyName,
        Map.of("stagefleet.dev/managed-by", "stagefleet"));
    Map<String, String> data = new LinkedHashMap<>();
    data.put(PRIVATE_KEY, SigningKey.privateKeyPem(pair.getPrivate()));
    data.put(PUBLIC_KEY_ARN, imported.arn());
    return new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(secretName).withNamespace(namespace)
            .withLabels(Map.of("app.kubernetes.io/part-of", "stagefleet"))
            .withAnnotations(Map.of("stagefleet.dev/public-key-name", keyName)).build())
        .withType("Opaque")
        .withStringData(data)
        .build();
  }

  /** The Secret as a YAML manifest, ready for {@code kubectl apply -f -}. */
  public static String yaml(Secret secret) {
    return Serialization.asYaml(secret);
  }

  /** The signing key a Secret holds; {@code name} says which Secret in messages. */
  static SigningKey read(Secret secret, String name) {
    String pem = BroadcastDirectory.secretValue(secret, PRIVATE_KEY).orElseThrow(() ->
        new IllegalArgumentException("the Secret " + name + " has no key " + PRIVATE_KEY));
    String arn = BroadcastDirectory.secretValue(secret, PUBLIC_KEY_ARN).map(String::strip).orElseThrow(() ->
        new IllegalArgumentException("the Secret " + name + " has no key " + PUBLIC_KEY_ARN));
    return SigningKey.fromPem(pem, arn);
  }
}
