package dev.stagefleet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The per-thread ES384 signer's tokens verify with nimbus under the JDK's key, whichever provider signed them. */
@Tag("unit")
class Es384SignerTest {
  private static final JWSHeader ES384 = new JWSHeader(JWSAlgorithm.ES384);

  @Test
  void everyTokenVerifiesUnderThePublicKeyThroughEachProviderAndOnEachThread() throws Exception {
    KeyPair pair = p384();
    List<Es384Provider> providers = new ArrayList<>(List.of(Es384Provider.jdk()));
    Es384Provider.awsLc().ifPresent(providers::add);
    for (Es384Provider provider : providers) {
      CompactJws jws = new CompactJws(ES384, new Es384Signer((ECPrivateKey) pair.getPrivate(), provider));
      ExecutorService threads = Executors.newFixedThreadPool(3);
      try {
        List<Future<String>> tokens = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
          long n = i;
          tokens.add(threads.submit(() -> jws.sign(Map.of("sub", "v-" + n, "exp", 1_800_000_000L + n))));
        }
        for (Future<String> token : tokens) {
          SignedJWT jwt = SignedJWT.parse(token.get());
          assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) pair.getPublic()))).as(provider.name()).isTrue();
          assertThat(jwt.getSignature().decode()).hasSize(96);
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void refusesOtherCurvesAndOtherAlgorithms() throws Exception {
    KeyPairGenerator p256 = KeyPairGenerator.getInstance("EC");
    p256.initialize(new ECGenParameterSpec("secp256r1"));
    ECPrivateKey wrongCurve = (ECPrivateKey) p256.generateKeyPair().getPrivate();

    assertThatThrownBy(() -> new Es384Signer(wrongCurve, Es384Provider.jdk()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Es384Signer((ECPrivateKey) p384().getPrivate(), Es384Provider.jdk())
        .sign(new JWSHeader(JWSAlgorithm.ES256), new byte[1])).isInstanceOf(JOSEException.class);
  }

  private static KeyPair p384() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    return generator.generateKeyPair();
  }
}
