package dev.stagefleet.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import dev.stagefleet.crypto.Es384Provider;
import dev.stagefleet.emulator.ParticipantRejectedException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Participant tokens as IVS checks them when a client joins: tokens this emulator issued through
 * CreateParticipantToken (JWT-shaped, {@code "alg":"KMS"}, signed with the emulator's own secret) and self-signed
 * ES384 JWTs whose {@code kid} is the ARN of an imported public key.
 */
final class ParticipantTokens {
  static final Duration MAX_SELF_SIGNED_LIFETIME = Duration.ofDays(14);
  /**
   * The {@code jti} becomes the participant's id, which GetParticipant, ListParticipantEvents and the replication
   * operations only take as {@code [a-zA-Z0-9-]*}: an id with '_' could join but never be looked up or replicated.
   */
  private static final Pattern JTI = Pattern.compile("[A-Za-z0-9-]{1,64}");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** What a verified token grants. */
  record Claims(String participantId, String stageArn, String topic, String userId, Map<String, String> attributes,
      boolean allowPublish, boolean allowSubscribe, Instant expiresAt, boolean selfSigned) {
  }

  private final ObjectMapper json;
  private final Es384Provider verifier;
  private final byte[] secret = new byte[32];

  /** Checks self-signed tokens with {@code verifier}'s ES384, whichever provider signed them. */
  ParticipantTokens(ObjectMapper json, Es384Provider verifier) {
    this.json = json;
    this.verifier = verifier;
    new SecureRandom().nextBytes(secret);
  }

  /** A token as CreateParticipantToken returns it; only this emulator can verify it. */
  String mint(String participantId, String stageArn, String userId, Map<String, String> attributes,
      boolean allowPublish, boolean allowSubscribe, Instant issuedAt, Instant expiresAt, String eventsUrl,
      String whipUrl) {
    ObjectNode header = json.createObjectNode().put("alg", "KMS").put("typ", "JWT");
    ObjectNode payload = json.createObjectNode();
    payload.put("exp", expiresAt.getEpochSecond());
    payload.put("iat", issuedAt.getEpochSecond());
    payload.put("jti", participantId);
    payload.put("resource", stageArn);
    payload.put("topic", stageArn.substring(stageArn.lastIndexOf('/') + 1));
    payload.put("events_url", eventsUrl);
    payload.put("whip_url", whipUrl);
    if (userId != null) {
      payload.put("user_id", userId);
    }
    ObjectNode capabilities = payload.putObject("capabilities");
    if (allowPublish) {
      capabilities.put("allow_publish", true);
    }
    if (allowSubscribe) {
      capabilities.put("allow_subscribe", true);
    }
    if (attributes != null && !attributes.isEmpty()) {
      ObjectNode attrs = payload.putObject("attributes");
      attributes.forEach(attrs::put);
    }
    payload.put("version", "1.0");
    String signingInput = encode(header) + "." + encode(payload);
    return signingInput + "." + B64.encodeToString(hmac(signingInput));
  }

  /**
   * Checks a token's signature and claims and returns them.
   *
   * @param publicKeys the imported public key for a {@code kid}, or null
   * @throws ParticipantRejectedException when IVS would refuse the token
   */
  Claims verify(String token, Function<String, ECPublicKey> publicKeys, Instant now) {
    if (token == null || token.isBlank()) {
      throw new ParticipantRejectedException(Reason.INVALID_TOKEN, "No participant token was given");
    }
    String[] parts = token.trim().split("\\.", -1);
    if (parts.length != 3) {
      throw new ParticipantRejectedException(Reason.INVALID_TOKEN, "The participant token is not a JWT");
    }
    JsonNode header = decodeJson(parts[0], "header");
    String alg = header.path("alg").asText("");
    boolean selfSigned;
    if (alg.equals("KMS")) {
      byte[] expected = hmac(parts[0] + "." + parts[1]);
      if (!MessageDigest.isEqual(expected, decodeBase64(parts[2], "signature"))) {
        throw new ParticipantRejectedException(Reason.BAD_SIGNATURE,
            "The participant token's signature is invalid (it was not issued by this IVS)");
      }
      selfSigned = false;
    } else if (alg.equals("ES384")) {
      verifySelfSigned(token, header, publicKeys);
      selfSigned = true;
    } else {
      throw new ParticipantRejectedException(Reason.INVALID_TOKEN,
          "Unsupported token algorithm '" + alg + "': self-signed tokens must use ES384");
    }
    // the payload is read only once its signature is known to be good
    return claims(decodeJson(parts[1], "payload"), selfSigned, now);
  }

  private void verifySelfSigned(String token, JsonNode header, Function<String, ECPublicKey> publicKeys) {
    String kid = header.path("kid").asText(null);
    if (kid == null || kid.isEmpty()) {
      throw new ParticipantRejectedException(Reason.INVALID_TOKEN,
          "The self-signed token has no 'kid' header naming the public key ARN");
    }
    ECPublicKey key = publicKeys.apply(kid);
    if (key == null) {
      throw new ParticipantRejectedException(Reason.UNKNOWN_KEY,
          "No imported public key has the ARN named by the token's 'kid': " + kid);
    }
    boolean valid;
    try {
      ECDSAVerifier signature = new ECDSAVerifier(key);
      signature.getJCAContext().setProvider(verifier.provider());
      valid = JWSObject.parse(token).verify(signature);
    } catch (ParseException | JOSEException e) {
      valid = false;
    }
    if (!valid) {
      throw new ParticipantRejectedException(Reason.BAD_SIGNATURE,
          "The self-signed token's signature does not match the public key " + kid);
    }
  }

  private Claims claims(JsonNode payload, boolean selfSigned, Instant now) {
    long exp = requiredNumber(payload, "exp");
    if (selfSigned) {
      long iat = requiredNumber(payload, "iat");
      if (exp - iat > MAX_SELF_SIGNED_LIFETIME.getSeconds()) {
        throw new ParticipantRejectedException(Reason.INVALID_TOKEN,
            "The token's 'exp' is more than 14 days after its 'iat'");
      }
      requiredText(payload, "version");
      requiredText(payload, "events_url");
      requiredText(payload, "whip_url");
    }
    Instant expiresAt = Instant.ofEpochSecond(exp);
    if (!now.isBefore(expiresAt)) {
      throw new ParticipantRejectedException(Reason.TOKEN_EXPIRED, "The participant token expired at " + expiresAt);
    }
    String jti = requiredText(payload, "jti");
    if (!JTI.matcher(jti).matches()) {
      throw new ParticipantRejectedException(Reason.INVALID_TOKEN,
          "The token's 'jti' (the participant id) must be 1-64 characters of [A-Za-z0-9-]");
    }
    String resource = requiredText(payload, "resource");
    String topic = requiredText(payload, "topic");
    JsonNode capabilities = payload.get("capabilities");
    if (capabilities == null || !capabilities.isObject()) {
      throw new ParticipantRejectedException(Reason.INVALID_TOKEN, "The token has no 'capabilities' object");
    }
    String userId = payload.hasNonNull("user_id") ? payload.get("user_id").asText() : null;
    Map<String, String> attributes = new LinkedHashMap<>();
    JsonNode attrs = payload.get("attributes");
    if (attrs != null && attrs.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = attrs.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        attributes.put(field.getKey(), field.getValue().asText());
      }
    }
    return new Claims(jti, resource, topic, userId, attributes, capabilities.path("allow_publish").asBoolean(false),
        capabilities.path("allow_subscribe").asBoolean(false), expiresAt, selfSigned);
  }

  private static long requiredNumber(JsonNode payload, String claim) {
    JsonNode node = payload.get(claim);
    if (node == null || !node.isNumber()) {
      throw new ParticipantRejectedException(Reason.INVALID_TOKEN,
          "The token's '" + claim + "' claim is missing or not a number");
    }
    return node.asLong();
  }

  private static String requiredText(JsonNode payload, String claim) {
    JsonNode node = payload.get(claim);
    if (node == null || !node.isTextual() || node.asText().isEmpty()) {
      throw new ParticipantRejectedException(Reason.INVALID_TOKEN,
          "The token's '" + claim + "' claim is missing or not a string");
    }
    return node.asText();
  }

  private JsonNode decodeJson(String part, String what) {
    try {
      JsonNode node = json.readTree(decodeBase64(part, what));
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (IOException e) {
      // reported below
    }
    throw new ParticipantRejectedException(Reason.INVALID_TOKEN, "The token's " + what + " is not a JSON object");
  }

  private static byte[] decodeBase64(String part, String what) {
    try {
      return Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw new ParticipantRejectedException(Reason.INVALID_TOKEN, "The token's " + what + " is not base64url");
    }
  }

  private String encode(JsonNode node) {
    try {
      return B64.encodeToString(json.writeValueAsBytes(node));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] hmac(String signingInput) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
