package dev.stagefleet.crypto;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.util.Base64;
import java.util.Set;

/**
 * An ES384 {@link JWSSigner} for tokens signed on every request: the key is turned into the provider's own key once,
 * each thread keeps one {@link Signature} initialised with it, and the JDK's base64url encodes the signature.
 *
 * <p>nimbus's {@code ECDSASigner} looks a {@code Signature} up, makes a {@code SecureRandom} and initialises with the
 * JDK's key on every token (which a native provider converts again each time), then encodes with a constant-time codec
 * that costs more than AWS-LC's signature itself. The signature is no secret from the token's holder, so its encoding
 * need not be constant-time; the bytes signed and the token's format are nimbus's (R || S, 96 bytes, RFC 7518 3.4).
 */
public final class Es384Signer implements JWSSigner {
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  /** R and S of a P-384 signature, 48 bytes each. */
  private static final int SIGNATURE_BYTES = 96;

  private final JCAContext context = new JCAContext();
  private final ThreadLocal<Signature> signatures;

  /** Signs with {@code key} (P-384) through {@code provider}. */
  public Es384Signer(ECPrivateKey key, Es384Provider provider) {
    if (key.getParams().getCurve().getField().getFieldSize() != 384) {
      throw new IllegalArgumentException("ES384 needs a P-384 key");
    }
    context.setProvider(provider.provider());
    PrivateKey own = translated(key, provider);
    this.signatures = ThreadLocal.withInitial(() -> {
      try {
        Signature signature = Signature.getInstance(Es384Provider.SIGNATURE, provider.provider());
        signature.initSign(own);
        return signature;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(provider.name() + " cannot sign ES384 with this key: " + e.getMessage(), e);
      }
    });
    signatures.get(); // fails here, not on the first request, when the provider refuses the key
  }

  @Override
  public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
    if (!JWSAlgorithm.ES384.equals(header.getAlgorithm())) {
      throw new JOSEException("this signer signs ES384 only, not " + header.getAlgorithm());
    }
    Signature signature = signatures.get();
    try {
      // sign() returns the Signature to its state after initSign: ready for the next token on this thread
      signature.update(signingInput);
      byte[] der = signature.sign();
      return new Base64URL(BASE64URL.encodeToString(ECDSA.transcodeSignatureToConcat(der, SIGNATURE_BYTES)));
    } catch (GeneralSecurityException e) {
      signatures.remove(); // a Signature left mid-operation is not reused
      throw new JOSEException("ES384 signing failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return Set.of(JWSAlgorithm.ES384);
  }

  @Override
  public JCAContext getJCAContext() {
    return context;
  }

  /** The provider's own form of the key, so it is not converted on every initialisation; the key itself if none. */
  private static PrivateKey translated(ECPrivateKey key, Es384Provider provider) {
    try {
      Key own = KeyFactory.getInstance("EC", provider.provider()).translateKey(key);
      return own instanceof PrivateKey p ? p : key;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return key;
    }
  }
}
