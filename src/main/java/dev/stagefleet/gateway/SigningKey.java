package dev.stagefleet.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The P-384 private key self-signed participant tokens are signed with, and the ARN of its public half as imported
 * into IVS (the token's {@code kid}).
 */
record SigningKey(ECPrivateKey privateKey, String publicKeyArn) {
  static final Pattern PUBLIC_KEY_ARN = Pattern.compile("arn:aws:ivs:[a-z0-9-]+:[0-9]+:public-key/[a-zA-Z0-9-]+");
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  // DER of AlgorithmIdentifier { id-ecPublicKey, secp384r1 }, used to wrap a SEC1 key into PKCS#8
  private static final byte[] EC_P384_ALGORITHM = {0x30, 0x10, 0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d,
      0x02, 0x01, 0x06, 0x05, 0x2b, (byte) 0x81, 0x04, 0x00, 0x22};

  SigningKey {
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(publicKeyArn, "publicKeyArn");
    if (privateKey.getParams().getCurve().getField().getFieldSize() != 384) {
      throw new IllegalArgumentException("the signing key must be an ECDSA P-384 (secp384r1) key, as IVS requires");
    }
    if (!PUBLIC_KEY_ARN.matcher(publicKeyArn).matches()) {
      throw new IllegalArgumentException("\"" + publicKeyArn + "\" is not an IVS public key ARN "
          + "(arn:aws:ivs:<region>:<account>:public-key/<id>)");
    }
  }

  /** Reads a P-384 private key from PEM: PKCS#8 {@code PRIVATE KEY}, or SEC1 {@code EC PRIVATE KEY} (openssl). */
  static SigningKey fromPem(String pem, String publicKeyArn) {
    Matcher m = PEM_BLOCK.matcher(pem == null ? "" : pem);
    while (m.find()) {
      String type = m.group(1);
      if (!type.equals("PRIVATE KEY") && !type.equals("EC PRIVATE KEY")) {
        continue;
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the private key PEM is not valid base64");
      }
      byte[] pkcs8 = type.equals("PRIVATE KEY") ? der : wrapSec1(der);
      try {
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        return new SigningKey((ECPrivateKey) key, publicKeyArn);
      } catch (GeneralSecurityException | ClassCastException e) {
        throw new IllegalArgumentException("the PEM does not hold an EC private key: " + e.getMessage());
      }
    }
    throw new IllegalArgumentException("no private key found: expected a PEM block \"-----BEGIN PRIVATE KEY-----\"");
  }

  /** The signing key from --key-file with --key-arn. */
  static SigningKey fromKeyFile(GatewaySettings settings) {
    if (settings.keyFile() != null) {
      if (settings.keyArn() == null || settings.keyArn().isBlank()) {
        throw new IllegalArgumentException("--key-file needs --key-arn, the ARN of its imported public key");
      }
      try {
        return fromPem(Files.readString(settings.keyFile()), settings.keyArn().strip());
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the key file " + settings.keyFile() + ": " + e.getMessage());
      }
    }
    throw new IllegalArgumentException("self-signed tokens need a key: --key-secret namespace/name, or --key-file "
        + "with --key-arn (create one with stagefleet keys create), or use --token-mode api");
  }


  /** A fresh ECDSA P-384 key pair. */
  static KeyPair generateKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp384r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot generate P-384 keys", e);
    }
  }

  /** The private key as PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}). */
  static String privateKeyPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /** The public key as SPKI PEM ({@code -----BEGIN PUBLIC KEY-----}), the form ImportPublicKey takes. */
  static String publicKeyPem(PublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  @Override
  public String toString() {
    return "SigningKey[" + publicKeyArn + ", privateKey=<redacted>]";
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static byte[] wrapSec1(byte[] sec1) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    content.writeBytes(new byte[] {0x02, 0x01, 0x00});
    content.writeBytes(EC_P384_ALGORITHM);
    content.writeBytes(derTagged(0x04, sec1));
    return derTagged(0x30, content.toByteArray());
  }

  private static byte[] derTagged(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = value.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length & 0xff);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
