package dev.stagefleet.crypto;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An HS256 {@link JWSSigner} for claims signed on every request: one {@link Mac} per thread, keyed once, and the
 * JDK's base64url for the MAC.
 *
 * <p>nimbus's {@code MACSigner} looks a {@code Mac} up and keys it on every signature, and encodes the MAC with a
 * constant-time codec; together they cost a viewer's join more than its presence pass is worth. The MAC is no secret
 * from whoever holds the token it ends, so its encoding need not be constant-time.
 */
public final class Hs256Signer implements JWSSigner {
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final JCAContext context = new JCAContext();
  private final ThreadLocal<Mac> macs;

  /** Signs with {@code key} (at least 32 bytes, as HS256 requires). */
  public Hs256Signer(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("an HS256 key needs at least 32 bytes, got " + key.length);
    }
    SecretKeySpec spec = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(spec);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK cannot compute HmacSHA256", e);
      }
    });
    macs.get(); // fails here, not on the first request, when the JDK has no HmacSHA256
  }

  @Override
  public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
    if (!JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
      throw new JOSEException("this signer signs HS256 only, not " + header.getAlgorithm());
    }
    // doFinal resets the Mac to its key, ready for the next signature on this thread
    return new Base64URL(BASE64URL.encodeToString(macs.get().doFinal(signingInput)));
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return Set.of(JWSAlgorithm.HS256);
  }

  @Override
  public JCAContext getJCAContext() {
    return context;
  }
}
