package dev.stagefleet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The per-thread HS256 signer signs exactly as nimbus's MACSigner does. */
@Tag("unit")
class Hs256SignerTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef-key".getBytes(StandardCharsets.UTF_8);
  private static final JWSHeader HS256 = new JWSHeader(JWSAlgorithm.HS256);

  @Test
  void signsTheSameBytesAsNimbusAgainAndAgain() throws Exception {
    Hs256Signer signer = new Hs256Signer(KEY);
    MACSigner nimbus = new MACSigner(KEY);
    for (String input : new String[] {"a.b", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2LTEifQ", ""}) {
      byte[] bytes = input.getBytes(StandardCharsets.US_ASCII);
      assertThat(signer.sign(HS256, bytes)).isEqualTo(nimbus.sign(HS256, bytes));
      assertThat(signer.sign(HS256, bytes)).as("the Mac is reset after each").isEqualTo(nimbus.sign(HS256, bytes));
    }
  }

  @Test
  void aTokenItSignsVerifiesWithNimbus() throws Exception {
    String token = new CompactJws(HS256, new Hs256Signer(KEY)).sign(Map.of("sub", "v-1", "exp", 1_800_000_000L));

    assertThat(SignedJWT.parse(token).verify(new MACVerifier(KEY))).isTrue();
  }

  @Test
  void refusesShortKeysAndOtherAlgorithms() {
    assertThatThrownBy(() -> new Hs256Signer(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Hs256Signer(KEY).sign(new JWSHeader(JWSAlgorithm.HS512), new byte[1]))
        .isInstanceOf(JOSEException.class);
  }
}
