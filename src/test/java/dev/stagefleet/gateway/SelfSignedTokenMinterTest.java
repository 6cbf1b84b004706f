package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import dev.stagefleet.crypto.Es384Provider;
import dev.stagefleet.gateway.TokenMinter.TokenRequest;
import dev.stagefleet.ivs.IvsService.Capability;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SelfSignedTokenMinterTest {
  static final String ARN = "arn:aws:ivs:us-west-2:123456789012:public-key/Xy12abCD";
  static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

  @Test
  void signsEs384WithTheDocumentedHeaderAndAFreshParticipantIdEachTime() throws Exception {
    KeyPair pair = SigningKey.generateKeyPair();
    var minter = new SelfSignedTokenMinter(new SigningKey((ECPrivateKey) pair.getPrivate(), ARN),
        Clock.fixed(NOW, ZoneOffset.UTC));
    var request = new TokenRequest(ParticipantClaimsTest.STAGE, Capability.SUBSCRIBE, "bob", Map.of(),
        Duration.ofMinutes(720));
    var first = minter.mint(request);
    var second = minter.mint(request);

    JWSObject jws = JWSObject.parse(first.token());
    assertThat(jws.verify(new ECDSAVerifier((ECPublicKey) pair.getPublic()))).isTrue();
    assertThat(jws.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES384);
    assertThat(jws.getHeader().getType().getType()).isEqualTo("JWT");
    assertThat(jws.getHeader().getKeyID()).isEqualTo(ARN);
    assertThat(jws.getHeader().toJSONObject()).containsOnlyKeys("alg", "typ", "kid");
    // the JWS signature of ES384 is the raw 96-byte R||S, not DER
    assertThat(Base64.getUrlDecoder().decode(first.token().split("\\.")[2])).hasSize(96);
    assertThat(jws.getPayload().toJSONObject()).containsEntry("jti", first.participantId())
        .containsEntry("exp", NOW.plus(Duration.ofHours(12)).getEpochSecond());
    assertThat(first.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(12)));
    assertThat(second.participantId()).isNotEqualTo(first.participantId()).matches("[A-Za-z0-9-]{1,64}");
    assertThat(first.toString()).doesNotContain(first.token());
  }

  @Test
  void tokensSignedByAwsLcVerifyWithSunEcAndTheOtherWayRound() throws Exception {
    Es384Provider awsLc = Es384Provider.awsLc().orElseThrow();
    Es384Provider jdk = Es384Provider.jdk();
    KeyPair pair = SigningKey.generateKeyPair();
    var request = new TokenRequest(ParticipantClaimsTest.STAGE, Capability.SUBSCRIBE, "bob", Map.of(),
        Duration.ofMinutes(5));

    for (Es384Provider[] signAndVerify : new Es384Provider[][] {{awsLc, jdk}, {jdk, awsLc}}) {
      var minter = new SelfSignedTokenMinter(new SigningKey((ECPrivateKey) pair.getPrivate(), ARN),
          Clock.fixed(NOW, ZoneOffset.UTC), signAndVerify[0]);
      JWSObject jws = JWSObject.parse(minter.mint(request).token());
      ECDSAVerifier verifier = new ECDSAVerifier((ECPublicKey) pair.getPublic());
      verifier.getJCAContext().setProvider(signAndVerify[1].provider());

      assertThat(minter.signer()).isEqualTo(signAndVerify[0].name());
      assertThat(jws.verify(verifier)).as("signed by %s, verified by %s", signAndVerify[0], signAndVerify[1])
          .isTrue();
      assertThat(Base64.getUrlDecoder().decode(jws.serialize().split("\\.")[2])).hasSize(96);
    }
  }

  @Test
  void mintsParticipantIdsThatIvsParticipantOperationsAccept() {
    KeyPair pair = SigningKey.generateKeyPair();
    var minter = new SelfSignedTokenMinter(new SigningKey((ECPrivateKey) pair.getPrivate(), ARN),
        Clock.fixed(NOW, ZoneOffset.UTC));
    var request = new TokenRequest(ParticipantClaimsTest.STAGE, Capability.SUBSCRIBE, null, Map.of(),
        Duration.ofMinutes(5));
    // base64url ids held '_' in about 3 tokens of 10; the model's ParticipantId is [a-zA-Z0-9-]*
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      ids.add(minter.mint(request).participantId());
    }
    assertThat(ids).hasSize(200).allMatch(id -> id.matches("[a-zA-Z0-9-]{20,64}"));
  }

  @Test
  void capsTheLifetimeAtFourteenDays() {
    KeyPair pair = SigningKey.generateKeyPair();
    var minter = new SelfSignedTokenMinter(new SigningKey((ECPrivateKey) pair.getPrivate(), ARN),
        Clock.fixed(NOW, ZoneOffset.UTC));
    var token = minter.mint(new TokenRequest(ParticipantClaimsTest.STAGE, Capability.PUBLISH, null, null,
        Duration.ofDays(30)));
    assertThat(token.expiresAt()).isEqualTo(NOW.plus(Duration.ofDays(14)));
  }

  @Test
  void readsPkcs8AndSec1PemAndRefusesOtherCurvesAndBadArns() throws Exception {
    KeyPair pair = SigningKey.generateKeyPair();
    String pkcs8 = SigningKey.privateKeyPem(pair.getPrivate());
    assertThat(pkcs8).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(SigningKey.fromPem(pkcs8, ARN).privateKey()).isEqualTo(pair.getPrivate());
    assertThat(SigningKey.publicKeyPem(pair.getPublic())).startsWith("-----BEGIN PUBLIC KEY-----\n");

    // openssl ecparam -genkey writes SEC1 "EC PRIVATE KEY" after an "EC PARAMETERS" block
    String sec1 = "-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n"
        + "-----BEGIN EC PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(sec1Of(pair))
        + "\n-----END EC PRIVATE KEY-----\n";
    assertThat(SigningKey.fromPem(sec1, ARN).privateKey().getS())
        .isEqualTo(((ECPrivateKey) pair.getPrivate()).getS());

    KeyPairGenerator p256 = KeyPairGenerator.getInstance("EC");
    p256.initialize(new ECGenParameterSpec("secp256r1"));
    String wrongCurve = SigningKey.privateKeyPem(p256.generateKeyPair().getPrivate());
    assertThatThrownBy(() -> SigningKey.fromPem(wrongCurve, ARN)).hasMessageContaining("P-384");
    assertThatThrownBy(() -> SigningKey.fromPem(pkcs8, "not-an-arn")).hasMessageContaining("public key ARN");
    assertThatThrownBy(() -> SigningKey.fromPem("hello", ARN)).hasMessageContaining("BEGIN PRIVATE KEY");
    assertThat(SigningKey.fromPem(pkcs8, ARN).toString()).doesNotContain(pkcs8.substring(30, 60));
  }

  /** The SEC1 ECPrivateKey inside the JDK's PKCS#8 encoding (its last OCTET STRING). */
  static byte[] sec1Of(KeyPair pair) {
    byte[] pkcs8 = pair.getPrivate().getEncoded();
    // PKCS#8: SEQUENCE { INTEGER 0, AlgorithmIdentifier (20 bytes here), OCTET STRING { SEC1 } }
    int i = 2 + (pkcs8[1] == (byte) 0x81 ? 1 : pkcs8[1] == (byte) 0x82 ? 2 : 0);
    i += 3;
    i += 2 + pkcs8[i + 1];
    int length = pkcs8[i + 1] & 0xff;
    int header = 2;
    if (length == 0x81) {
      length = pkcs8[i + 2] & 0xff;
      header = 3;
    }
    byte[] sec1 = new byte[length];
    System.arraycopy(pkcs8, i + header, sec1, 0, length);
    return sec1;
  }
}
