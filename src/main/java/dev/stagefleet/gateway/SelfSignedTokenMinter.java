package dev.stagefleet.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import dev.stagefleet.crypto.CompactJws;
import dev.stagefleet.crypto.Es384Provider;
import dev.stagefleet.crypto.Es384Signer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Signs participant tokens locally (ES384 JWTs whose public key is imported into IVS), so tokens cost no IVS call and
 * are not bound by CreateParticipantToken's 50 calls a second.
 */
final class SelfSignedTokenMinter implements TokenMinter {
  private final SigningKey key;
  private final Clock clock;
  private final CompactJws jws;
  private final Es384Provider provider;
  /** The key's PKCS#8 encoding; callers must not change it (it is shared, not copied, to keep claims cheap). */
  private final byte[] encodedKey;

  /** Signs with the fastest ES384 provider available (AWS-LC where it loads, else the JDK's). */
  SelfSignedTokenMinter(SigningKey key, Clock clock) {
    this(key, clock, Es384Provider.fastest());
  }

  SelfSignedTokenMinter(SigningKey key, Clock clock, Es384Provider provider) {
    this.key = key;
    this.clock = clock;
    this.provider = provider;
    this.encodedKey = key.privateKey().getEncoded();
    Es384Signer signer;
    try {
      signer = new Es384Signer(key.privateKey(), provider);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException("the signing key cannot sign ES384: " + e.getMessage(), e);
    }
    this.jws = new CompactJws(new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT)
        .keyID(key.publicKeyArn()).build(), signer);
  }

  @Override
  public MintedToken mint(TokenRequest request) {
    Instant now = clock.instant();
    Duration ttl = request.ttl().compareTo(Duration.ofSeconds(ParticipantClaims.MAX_TTL_SECONDS)) > 0
        ? Duration.ofSeconds(ParticipantClaims.MAX_TTL_SECONDS) : request.ttl();
    Instant expiresAt = Instant.ofEpochSecond(now.getEpochSecond()).plus(ttl);
    String participantId = newParticipantId();
    Map<String, Object> claims = ParticipantClaims.of(request.stage(), request.capability(), participantId,
        request.userId(), request.attributes(), now, expiresAt);
    try {
      return new MintedToken(jws.sign(claims), participantId, expiresAt);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a participant token failed: " + e.getMessage(), e);
    }
  }

  @Override
  public String mode() {
    return "self-signed";
  }

  @Override
  public String signer() {
    return provider.name();
  }

  /** The encoded private key, read once: gateway claims ask for it on every claim they sign or check. */
  @Override
  public java.util.Optional<byte[]> claimKeyMaterial() {
    return java.util.Optional.of(encodedKey);
  }

  /** The ARN of the public key the tokens name as {@code kid}. */
  String publicKeyArn() {
    return key.publicKeyArn();
  }

  /** A new participant id (see {@link ParticipantIds}). */
  static String newParticipantId() {
    return ParticipantIds.next();
  }
}
