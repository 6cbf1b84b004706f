package dev.stagefleet.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stagefleet.crypto.CompactJws;
import dev.stagefleet.crypto.Hs256Signer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signed, expiring claims any gateway replica can check without asking the one that issued them: a viewer's presence
 * pass (which broadcast, stage and replica it was placed by), a waiting viewer's place in line (its wait pass) and a
 * broadcaster's socket ticket. They are HS256 JWTs under a key derived from the gateway's token-signing key, so every
 * replica that reads the same key Secret (or key file) accepts them, and rotating that key rotates this one (claims
 * under the key before are still accepted). A gateway that signs no tokens (api token mode) derives it from the shared
 * claims key file instead ({@code --claims-key-file}), or, without one, from a key of its own process.
 */
final class GatewayClaims {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayClaims.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] CONTEXT = "stagefleet gateway claims v1\n".getBytes(StandardCharsets.UTF_8);
  static final String PRESENCE = "presence";
  static final String TICKET = "ticket";
  static final String WAIT = "wait";
  /** The shortest claims key file accepted: 32 bytes, as many as the HS256 key derived from it. */
  static final int MIN_SHARED_KEY_BYTES = 32;

  /** A viewer's presence pass: who it is, where it was placed, by which replica, and until when. */
  record PresencePass(String viewerId, BroadcastKey broadcast, String userId, String stageId, String stageArn,
      String replica, Instant expiresAt) {
  }

  /** A broadcaster's socket ticket: its id (used once per replica), its broadcast, and until when. */
  record Ticket(String id, BroadcastKey broadcast, Instant expiresAt) {
  }

  /**
   * A waiting viewer's place: its waiter id, its broadcast, the replica that answered it last, when it first arrived,
   * until when the pass is good, and until when that replica counts the waiter (null: not said).
   */
  record WaitPass(String waiterId, BroadcastKey broadcast, String replica, Instant arrived, Instant expiresAt,
      Instant countedUntil) {
    WaitPass(String waiterId, BroadcastKey broadcast, String replica, Instant arrived, Instant expiresAt) {
      this(waiterId, broadcast, replica, arrived, expiresAt, null);
    }

    boolean expired(Instant now) {
      return !expiresAt.isAfter(now);
    }
  }

  private record Keys(byte[] material, byte[] current, byte[] previous) {
  }

  private final Supplier<Optional<byte[]>> keyMaterial;
  private final Clock clock;
  private final byte[] fallback;
  private final AtomicReference<Keys> keys = new AtomicReference<>();
  /** The signer of the current key; replaced when the key changes (identity of the key array). */
  private volatile Signer signer;

  /**
   * @param keyMaterial the encoded signing key the claim key is derived from; empty when the gateway has none
   *                    (api token mode without a claims key file): claims are then signed with a key of this process
   *                    only, and a presence pass, wait pass or ticket works only on this replica
   */
  GatewayClaims(Supplier<Optional<byte[]>> keyMaterial, Clock clock) {
    this.keyMaterial = keyMaterial;
    this.clock = clock;
    this.fallback = new byte[32];
    RANDOM.nextBytes(fallback);
  }

  /**
   * The viewer's presence pass. Every join signs one, so its claims go straight into the JSON map that
   * {@link JWTClaimsSet#toJSONObject()} would make of them (same names, times in epoch seconds, absent values left
   * out, and a HashMap as nimbus's, so the same order), without the claims set and its dates in between.
   */
  String presence(Viewer viewer, String replica, Instant expiresAt) {
    Map<String, Object> claims = new HashMap<>();
    putPresent(claims, "sub", viewer.id());
    claims.put("typ", PRESENCE);
    claims.put("bc", viewer.broadcast().toString());
    putPresent(claims, "uid", viewer.userId());
    putPresent(claims, "stage", viewer.stage().getId());
    putPresent(claims, "arn", viewer.stage().getArn());
    putPresent(claims, "rep", replica);
    claims.put("iat", clock.instant().getEpochSecond());
    claims.put("exp", expiresAt.getEpochSecond());
    return sign(claims);
  }

  private static void putPresent(Map<String, Object> claims, String name, Object value) {
    if (value != null) {
      claims.put(name, value);
    }
  }

  Optional<PresencePass> presence(String token) {
    return verify(token, PRESENCE).flatMap(c -> {
      Optional<BroadcastKey> broadcast = broadcastOf(c);
      String stage = string(c, "stage");
      if (broadcast.isEmpty() || c.getSubject() == null || stage == null) {
        return Optional.empty();
      }
      return Optional.of(new PresencePass(c.getSubject(), broadcast.get(), string(c, "uid"), stage, string(c, "arn"),
          string(c, "rep"), c.getExpirationTime().toInstant()));
    });
  }

  String ticket(BroadcastKey broadcast, Instant expiresAt) {
    byte[] id = new byte[18];
    RANDOM.nextBytes(id);
    return sign(new JWTClaimsSet.Builder().jwtID(Base64.getUrlEncoder().withoutPadding().encodeToString(id))
        .claim("typ", TICKET).claim("bc", broadcast.toString()).issueTime(Date.from(clock.instant()))
        .expirationTime(Date.from(expiresAt)).build());
  }

  Optional<Ticket> ticket(String token) {
    return verify(token, TICKET).flatMap(c -> broadcastOf(c).filter(b -> c.getJWTID() != null)
        .map(b -> new Ticket(c.getJWTID(), b, c.getExpirationTime().toInstant())));
  }

  String wait(WaitPass pass) {
    return sign(new JWTClaimsSet.Builder().subject(pass.waiterId()).claim("typ", WAIT)
        .claim("bc", pass.broadcast().toString()).claim("rep", pass.replica())
        .claim("arr", pass.arrived().toEpochMilli())
        .claim("cnt", pass.countedUntil() == null ? null : pass.countedUntil().toEpochMilli())
        .issueTime(Date.from(clock.instant()))
        .expirationTime(Date.from(pass.expiresAt())).build());
  }

  /**
   * The wait pass, if it was signed by a replica sharing this key, expired or not (a lapsed place is the caller's
   * business: a client that came back late did nothing wrong); empty when forged, unsigned or malformed.
   */
  Optional<WaitPass> wait(String token) {
    return verify(token, WAIT, true).flatMap(c -> {
      Optional<BroadcastKey> broadcast = broadcastOf(c);
      if (broadcast.isEmpty() || c.getSubject() == null || !(c.getClaim("arr") instanceof Number arrived)) {
        return Optional.empty();
      }
      Instant counted = c.getClaim("cnt") instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null;
      return Optional.of(new WaitPass(c.getSubject(), broadcast.get(), string(c, "rep"),
          Instant.ofEpochMilli(arrived.longValue()), c.getExpirationTime().toInstant(), counted));
    });
  }

  /**
   * The shared claims key of {@code file} (trailing white space stripped), for a gateway that signs no tokens; empty
   * without a file.
   */
  static Optional<byte[]> sharedKey(Path file) {
    if (file == null) {
      return Optional.empty();
    }
    byte[] key;
    try {
      key = Files.readString(file).strip().getBytes(StandardCharsets.UTF_8);
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalArgumentException("cannot read the claims key file " + file + ": " + e.getMessage());
    }
    if (key.length < MIN_SHARED_KEY_BYTES) {
      throw new IllegalArgumentException("the claims key file " + file + " holds " + key.length + " bytes; it needs "
          + "at least " + MIN_SHARED_KEY_BYTES + " random ones (e.g. openssl rand -base64 48)");
    }
    return Optional.of(key);
  }

  private String sign(JWTClaimsSet claims) {
    return sign(claims.toJSONObject());
  }

  private String sign(Map<String, Object> claims) {
    try {
      return signer(keys().current()).sign(claims);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a gateway claim failed: " + e.getMessage(), e);
    }
  }

  /**
   * The signer for {@code key}, made once per key: every join signs a presence pass, and encoding through the JDK's
   * base64 rather than nimbus's constant-time codec, with a keyed Mac per thread, keeps that cheap (the claims are
   * readable by their holder anyway).
   */
  private CompactJws signer(byte[] key) throws JOSEException {
    Signer last = signer;
    if (last == null || last.key() != key) {
      last = new Signer(key, new CompactJws(new JWSHeader(JWSAlgorithm.HS256), new Hs256Signer(key)));
      signer = last;
    }
    return last.jws();
  }

  private record Signer(byte[] key, CompactJws jws) {
  }

  /** The claims of a token signed with the current or the previous key, of this type, not expired; else empty. */
  private Optional<JWTClaimsSet> verify(String token, String type) {
    return verify(token, type, false);
  }

  private Optional<JWTClaimsSet> verify(String token, String type, boolean expiredToo) {
    if (token == null || token.length() > 4096) {
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
        return Optional.empty();
      }
      Keys k = keys();
      boolean signed = jwt.verify(new MACVerifier(k.current()))
          || k.previous() != null && jwt.verify(new MACVerifier(k.previous()));
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!signed || !type.equals(claims.getClaim("typ")) || claims.getExpirationTime() == null
          || !expiredToo && !claims.getExpirationTime().toInstant().isAfter(clock.instant())) {
        return Optional.empty();
      }
      return Optional.of(claims);
    } catch (ParseException | JOSEException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The key now, derived again when the signing key changed (the one before still verifies). */
  private Keys keys() {
    byte[] material = keyMaterial.get().orElse(null);
    Keys k = keys.get();
    // the minter hands out the same array while its key stays the same, so the common case is one comparison
    if (k != null && (material == k.material()
        || material != null && k.material() != null && MessageDigest.isEqual(material, k.material()))) {
      return k;
    }
    if (material == null && k == null) {
      LOG.warn("no signing key and no --claims-key-file: presence passes, waitIds and socket tickets are signed "
          + "with a key of this replica only, and other replicas refuse them");
    }
    byte[] current = material == null ? fallback : derive(material);
    Keys next = new Keys(material, current, k == null ? null : k.current());
    keys.compareAndSet(k, next);
    return next;
  }

  /** The HS256 key derived from {@code material} (package-private for the tests that sign as nimbus would). */
  static byte[] derive(byte[] material) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(CONTEXT);
      return sha.digest(material);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  private static Optional<BroadcastKey> broadcastOf(JWTClaimsSet claims) {
    String bc = string(claims, "bc");
    int slash = bc == null ? -1 : bc.indexOf('/');
    return slash <= 0 ? Optional.empty() : Optional.of(new BroadcastKey(bc.substring(0, slash), bc.substring(slash + 1)));
  }

  private static String string(JWTClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    return value instanceof String s ? s : null;
  }
}
