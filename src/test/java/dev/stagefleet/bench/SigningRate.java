package dev.stagefleet.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import dev.stagefleet.crypto.CompactJws;
import dev.stagefleet.crypto.Es384Provider;
import dev.stagefleet.crypto.Es384Signer;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Yardstick (a) of the joins benchmark: how many ES384 JWTs with an IVS participant token's claims this JVM signs per
 * second on {@code threads} threads through a given provider, with nothing else going on (no HTTP, no placement).
 */
public final class SigningRate {
  private SigningRate() {
  }

  /** Tokens signed per second through {@code provider}, after a warm-up, over {@code duration} on {@code threads}. */
  public static double measure(Es384Provider provider, int threads, Duration warmup, Duration duration) {
    ECPrivateKey key = newP384Key();
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT)
        .keyID("arn:aws:ivs:us-east-1:123456789012:public-key/benchKey0001").build();
    run(provider, threads, warmup, key, header);
    long signed = run(provider, threads, duration, key, header);
    return signed / (duration.toNanos() / 1e9);
  }

  private static long run(Es384Provider provider, int threads, Duration duration, ECPrivateKey key,
      JWSHeader header) {
    LongAdder signed = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        try {
          // signed and encoded as the gateway does (its Es384Signer: the provider's own key, a Signature per
          // thread), so (a) is the signing a join needs and nothing else
          CompactJws jws = new CompactJws(header, new Es384Signer(key, provider));
          while (!stop.get()) {
            if (jws.sign(claims()).isEmpty()) {
              throw new IllegalStateException("empty token");
            }
            signed.increment();
          }
        } catch (JOSEException e) {
          throw new IllegalStateException("ES384 signing failed: " + e.getMessage(), e);
        } finally {
          done.countDown();
        }
      }, "es384-signer-" + t);
      thread.setDaemon(true);
      thread.start();
    }
    try {
      Thread.sleep(duration.toMillis());
      stop.set(true);
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop.set(true);
    }
    return signed.sum();
  }

  /** Claims shaped like a SUBSCRIBE participant token's, so the JSON work matches the gateway's. */
  private static Map<String, Object> claims() {
    long now = System.currentTimeMillis() / 1000;
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("exp", now + 43_200);
    claims.put("iat", now);
    claims.put("jti", UUID.randomUUID().toString());
    claims.put("resource", "arn:aws:ivs:us-east-1:123456789012:stage/AbCdEfGh1234");
    claims.put("topic", "AbCdEfGh1234");
    claims.put("events_url", "wss://global.events.live-video.net");
    claims.put("whip_url", "https://1a2b3c4d5e6f.global-bm.whip.live-video.net");
    claims.put("user_id", "viewer-" + (now % 1000));
    claims.put("attributes", Map.of());
    claims.put("capabilities", Map.of("allow_subscribe", true));
    claims.put("version", "1.0");
    return claims;
  }

  static ECPrivateKey newP384Key() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp384r1"));
      return (ECPrivateKey) generator.generateKeyPair().getPrivate();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot generate P-384 keys", e);
    }
  }
}
