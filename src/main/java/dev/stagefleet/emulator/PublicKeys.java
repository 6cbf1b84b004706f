package dev.stagefleet.emulator;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Imported public keys as IVS checks them: PEM parsing to a P-384 key, and the SHA-256 fingerprint it reports. */
final class PublicKeys {
  private PublicKeys() {
  }

  static ECPublicKey parse(String pem) {
    String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    if (!pem.contains("-----BEGIN PUBLIC KEY-----") || body.isEmpty()) {
      throw IvsError.validation("publicKeyMaterial must be a PEM-encoded public key "
          + "(-----BEGIN PUBLIC KEY-----)");
    }
    PublicKey key;
    try {
      key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw IvsError.validation("publicKeyMaterial is not a valid EC public key: it must be an ECDSA P-384 key "
          + "in PEM (SubjectPublicKeyInfo) form");
    }
    if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 384) {
      throw IvsError.validation("publicKeyMaterial must be an ECDSA P-384 (secp384r1) public key");
    }
    return ec;
  }

  static String fingerprint(ECPublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      StringBuilder hex = new StringBuilder();
      for (byte b : digest) {
        if (hex.length() > 0) {
          hex.append(':');
        }
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
