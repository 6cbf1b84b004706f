package dev.stagefleet.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Compact JWS encoded by the JDK: the same token nimbus would write, verifiable by nimbus. */
@Tag("unit")
class CompactJwsTest {

  @Test
  void writesTheHeaderAndPayloadNimbusWouldAndASignatureNimbusVerifies() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair keys = generator.generateKeyPair();
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT)
        .keyID("arn:aws:ivs:us-east-1:123456789012:public-key/abc").build();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("exp", 1_900_000_000L);
    claims.put("resource", "arn:aws:ivs:us-east-1:123456789012:stage/é-ü");
    claims.put("capabilities", Map.of("allow_subscribe", true));
    claims.put("attributes", List.of("a", "b?>"));

    String token = new CompactJws(header, new ECDSASigner((ECPrivateKey) keys.getPrivate())).sign(claims);

    JWSObject byNimbus = new JWSObject(header, new Payload(claims));
    String[] parts = token.split("\\.");
    assertThat(parts).hasSize(3);
    assertThat(parts[0]).isEqualTo(byNimbus.getHeader().toBase64URL().toString());
    JWSObject parsed = JWSObject.parse(token);
    assertThat(parsed.verify(new ECDSAVerifier((ECPublicKey) keys.getPublic()))).isTrue();
    // the same claims (nimbus orders the keys, the JDK path keeps the claims' order: both are the same JSON object)
    assertThat(parsed.getPayload().toJSONObject()).isEqualTo(byNimbus.getPayload().toJSONObject())
        .containsEntry("resource", "arn:aws:ivs:us-east-1:123456789012:stage/é-ü");
  }
}
