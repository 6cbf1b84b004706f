package dev.stagefleet.emulator;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stagefleet.crypto.Es384Provider;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test key pairs and self-signed ES384 participant tokens in the shape IVS documents. */
public final class SelfSignedTokens {
  private SelfSignedTokens() {
  }

  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp384r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String publicKeyPem(KeyPair keyPair) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keyPair.getPublic().getEncoded());
    return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
  }

  /** A token for a stage; {@code capabilities} are allow_publish / allow_subscribe. */
  public static String token(KeyPair keyPair, String keyArn, String stageArn, String participantId, boolean publish,
      boolean subscribe, Instant issuedAt, Duration lifetime) {
    return token(keyPair, keyArn, stageArn, stageArn.substring(stageArn.lastIndexOf('/') + 1), participantId,
        publish, subscribe, issuedAt, lifetime);
  }

  public static String token(KeyPair keyPair, String keyArn, String resource, String topic, String participantId,
      boolean publish, boolean subscribe, Instant issuedAt, Duration lifetime) {
    return token(keyPair, keyArn, resource, topic, participantId, publish, subscribe, issuedAt, lifetime,
        Es384Provider.jdk());
  }

  /** A token signed through {@code signer}'s ES384. */
  public static String token(KeyPair keyPair, String keyArn, String resource, String topic, String participantId,
      boolean publish, boolean subscribe, Instant issuedAt, Duration lifetime, Es384Provider signer) {
    Map<String, Object> capabilities = new LinkedHashMap<>();
    if (publish) {
      capabilities.put("allow_publish", true);
    }
    if (subscribe) {
      capabilities.put("allow_subscribe", true);
    }
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issueTime(Date.from(issuedAt))
        .expirationTime(Date.from(issuedAt.plus(lifetime)))
        .jwtID(participantId)
        .claim("user_id", "user-" + participantId)
        .claim("resource", resource)
        .claim("topic", topic)
        .claim("events_url", "wss://global.events.live-video.net")
        .claim("whip_url", "https://abc.global-bm.whip.live-video.net")
        .claim("capabilities", capabilities)
        .claim("version", "1.0")
        .build();
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT).keyID(keyArn).build(), claims);
    try {
      ECDSASigner ecdsa = new ECDSASigner((ECPrivateKey) keyPair.getPrivate());
      ecdsa.getJCAContext().setProvider(signer.provider());
      jwt.sign(ecdsa);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }
}
