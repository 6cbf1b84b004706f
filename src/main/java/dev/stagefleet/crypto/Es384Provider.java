package dev.stagefleet.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The JCA provider ES384 (ECDSA P-384 with SHA-384) signatures are made and checked with: AWS-LC through the Amazon
 * Corretto Crypto Provider where its native library loads, else the JDK's SunEC. The provider is passed explicitly to
 * each signer and verifier and never installed globally, so TLS and every other JCA user keep the JDK's choices.
 */
public record Es384Provider(Provider provider) {
  static final String SIGNATURE = "SHA384withECDSA";
  private static final String CORRETTO = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  public Es384Provider {
    Objects.requireNonNull(provider, "provider");
  }

  /** The fastest ES384 provider this process can use (looked up once). */
  public static Es384Provider fastest() {
    return Fastest.INSTANCE;
  }

  /** The JDK's own provider (SunEC). */
  public static Es384Provider jdk() {
    Provider sunEc = Security.getProvider("SunEC");
    if (sunEc == null) {
      throw new IllegalStateException("this JDK has no SunEC provider");
    }
    return new Es384Provider(sunEc);
  }

  /**
   * AWS-LC through the Corretto provider, when its jar is on the class path (Linux x86_64 and aarch64 builds) and its
   * native library loads and signs here; empty otherwise.
   */
  public static Optional<Es384Provider> awsLc() {
    Optional<Provider> corretto;
    try {
      // by service lookup rather than by class, so builds for other platforms need not carry the jar
      corretto = ServiceLoader.load(Provider.class, Es384Provider.class.getClassLoader()).stream()
          .filter(candidate -> candidate.type().getName().equals(CORRETTO))
          .findFirst()
          .map(ServiceLoader.Provider::get);
    } catch (ServiceConfigurationError | LinkageError e) {
      return Optional.empty();
    }
    return corretto.filter(Es384Provider::signsAndVerifies).map(Es384Provider::new);
  }

  /** The provider's name as JCA knows it ({@code AmazonCorrettoCryptoProvider}, {@code SunEC}). */
  public String name() {
    return provider.getName();
  }

  /** True when this is the native AWS-LC provider. */
  public boolean isNative() {
    return provider.getClass().getName().equals(CORRETTO);
  }

  @Override
  public String toString() {
    return name() + " " + provider.getVersionStr();
  }

  // A provider whose native library failed to load registers no algorithms, or fails on first use: try it once.
  private static boolean signsAndVerifies(Provider candidate) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp384r1"));
      KeyPair pair = generator.generateKeyPair();
      byte[] message = "stagefleet".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(SIGNATURE, candidate);
      signer.initSign(pair.getPrivate());
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(SIGNATURE);
      verifier.initVerify(pair.getPublic());
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static final class Fastest {
    static final Es384Provider INSTANCE = awsLc().orElseGet(Es384Provider::jdk);
  }
}
