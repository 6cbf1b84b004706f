package dev.stagefleet.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.crypto.Es384Provider;
import dev.stagefleet.emulator.ParticipantRejectedException.Reason;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The emulator accepts a self-signed token whichever ES384 provider signed it and whichever checks it. */
class ParticipantTokensProviderTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private static final String KEY_ARN = "arn:aws:ivs:us-east-1:123456789012:public-key/abc";
  private static final String STAGE = "arn:aws:ivs:us-east-1:123456789012:stage/st1";
  private static final KeyPair KEY = SelfSignedTokens.newKeyPair();
  private static final Es384Provider AWS_LC = Es384Provider.awsLc().orElseThrow();
  private static final Es384Provider JDK = Es384Provider.jdk();

  @Test
  void verifiesWithSunEcATokenSignedByAwsLc() {
    assertAcceptedAndTamperRefused(AWS_LC, JDK);
  }

  @Test
  void verifiesWithAwsLcATokenSignedBySunEc() {
    assertAcceptedAndTamperRefused(JDK, AWS_LC);
  }

  private static void assertAcceptedAndTamperRefused(Es384Provider signer, Es384Provider verifier) {
    String token = SelfSignedTokens.token(KEY, KEY_ARN, STAGE, "st1", "viewer-1", false, true, NOW,
        Duration.ofHours(1), signer);
    ParticipantTokens tokens = new ParticipantTokens(new ObjectMapper(), verifier);

    ParticipantTokens.Claims claims = tokens.verify(token, kid -> (ECPublicKey) KEY.getPublic(), NOW);

    assertThat(claims.participantId()).isEqualTo("viewer-1");
    assertThat(claims.selfSigned()).isTrue();
    String signature = token.substring(token.lastIndexOf('.') + 1);
    char flipped = signature.charAt(10) == 'A' ? 'B' : 'A';
    String tampered = token.substring(0, token.lastIndexOf('.') + 1) + signature.substring(0, 10) + flipped
        + signature.substring(11);
    assertThatThrownBy(() -> tokens.verify(tampered, kid -> (ECPublicKey) KEY.getPublic(), NOW))
        .isInstanceOfSatisfying(ParticipantRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
  }
}
