package dev.stagefleet.crypto;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Signs JWTs in JWS compact form with one header: nimbus signs, the JDK's base64url encodes.
 *
 * <p>nimbus encodes with a constant-time base64 codec, which protects secrets but costs a join more than the ES384
 * signature itself once AWS-LC signs (half of the gateway's request-thread samples in a JFR profile of
 * {@code bench joins}). A token's header and claims are not secret: they are readable by whoever holds the token.
 * The header is encoded once; each token's claims with {@link Base64}'s intrinsic encoder.
 */
public final class CompactJws {
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final JWSHeader header;
  private final String encodedHeader;
  private final JWSSigner signer;

  public CompactJws(JWSHeader header, JWSSigner signer) {
    this.header = header;
    this.encodedHeader = header.toBase64URL().toString();
    this.signer = signer;
  }

  /** The compact JWS of {@code claims}: header, payload and signature, base64url without padding. */
  public String sign(Map<String, Object> claims) throws JOSEException {
    String signingInput = encodedHeader + '.'
        + BASE64URL.encodeToString(JSONObjectUtils.toJSONString(claims).getBytes(StandardCharsets.UTF_8));
    return signingInput + '.' + signer.sign(header, signingInput.getBytes(StandardCharsets.US_ASCII));
  }
}
