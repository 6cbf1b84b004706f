package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's signed claims: wait passes round trip and lapse, and a shared claims key makes replicas agree. */
@Tag("unit")
class GatewayClaimsTest {
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
  private static final BroadcastKey SHOW = new BroadcastKey("shows", "concert");
  private static final Optional<byte[]> SHARED = Optional.of(
      "a-random-key-every-replica-of-this-release-reads".getBytes(StandardCharsets.UTF_8));

  private final ManualClock clock = new ManualClock(T0);

  @Test
  void aWaitPassNamesItsWaiterBroadcastReplicaAndArrivalAndReadsBackAfterItLapsedToo() {
    GatewayClaims claims = new GatewayClaims(() -> SHARED, clock);
    var issued = new GatewayClaims.WaitPass("w-abc", SHOW, "replica-a", T0.minusMillis(1500), T0.plusSeconds(60));

    var read = claims.wait(claims.wait(issued)).orElseThrow();

    assertThat(read).isEqualTo(issued);
    assertThat(read.expired(clock.instant())).isFalse();
    clock.advance(Duration.ofSeconds(60));
    assertThat(claims.wait(claims.wait(issued))).as("still authentic").contains(issued);
    assertThat(read.expired(clock.instant())).isTrue();
  }

  @Test
  void aWaitPassIsNotAPresencePassNorATicketAndAForgedOneReadsAsNothing() {
    GatewayClaims claims = new GatewayClaims(() -> SHARED, clock);
    String pass = claims.wait(new GatewayClaims.WaitPass("w-abc", SHOW, "replica-a", T0, T0.plusSeconds(60)));
    String[] parts = pass.split("\\.");

    assertThat(claims.presence(pass)).isEmpty();
    assertThat(claims.ticket(pass)).isEmpty();
    assertThat(claims.wait(parts[0] + "." + parts[1] + ".c2lnbmVkIGJ5IG5vIG9uZQ")).isEmpty();
    assertThat(claims.wait(parts[0] + "." + parts[1] + ".")).isEmpty();
    assertThat(claims.wait("w-old-format")).isEmpty();
    assertThat(new GatewayClaims(Optional::empty, clock).wait(pass)).as("another key").isEmpty();
  }

  @Test
  void replicasThatSignNoTokensAcceptEachOthersPassesAndTicketsOnlyWithTheSharedKey() {
    GatewayClaims a = new GatewayClaims(() -> SHARED, clock);
    GatewayClaims b = new GatewayClaims(() -> SHARED, clock);
    Viewer viewer = new Viewer("v-1", SHOW, "ann", new StageStatus("st-1", "arn:st-1", "Active", null, null, null,
        null), T0);
    String presence = a.presence(viewer, "replica-a", T0.plusSeconds(600));
    String ticket = a.ticket(SHOW, T0.plusSeconds(30));

    assertThat(b.presence(presence)).hasValueSatisfying(p -> assertThat(p.stageId()).isEqualTo("st-1"));
    assertThat(b.ticket(ticket)).hasValueSatisfying(t -> assertThat(t.broadcast()).isEqualTo(SHOW));
    // without it each process keys its claims with a random key of its own
    GatewayClaims alone = new GatewayClaims(Optional::empty, clock);
    assertThat(new GatewayClaims(Optional::empty, clock).presence(alone.presence(viewer, "replica-a",
        T0.plusSeconds(600)))).isEmpty();
  }

  @Test
  void aPresencePassIsByteForByteTheJwtNimbusWouldSignFromItsClaimsSet() throws Exception {
    GatewayClaims claims = new GatewayClaims(() -> SHARED, clock);
    clock.advance(Duration.ofMillis(1_750));
    Viewer placed = new Viewer("v-1", SHOW, "ann", new StageStatus("st-1", "arn:st-1", "Active", null, null, null,
        null), T0);
    Viewer anonymousNoArn = new Viewer("v-2", SHOW, null, new StageStatus("st-2", null, "Active", null, null, null,
        null), T0);

    for (Viewer viewer : new Viewer[] {placed, anonymousNoArn}) {
      Instant expires = T0.plusSeconds(600);
      var expected = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader(
          com.nimbusds.jose.JWSAlgorithm.HS256), new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(viewer.id())
          .claim("typ", GatewayClaims.PRESENCE).claim("bc", viewer.broadcast().toString())
          .claim("uid", viewer.userId()).claim("stage", viewer.stage().getId()).claim("arn", viewer.stage().getArn())
          .claim("rep", "replica-a").issueTime(java.util.Date.from(clock.instant()))
          .expirationTime(java.util.Date.from(expires)).build());
      expected.sign(new com.nimbusds.jose.crypto.MACSigner(GatewayClaims.derive(SHARED.get())));

      String pass = claims.presence(viewer, "replica-a", expires);

      assertThat(pass).isEqualTo(expected.serialize());
      assertThat(claims.presence(pass)).hasValueSatisfying(p -> assertThat(p.viewerId()).isEqualTo(viewer.id()));
    }
  }

  @Test
  void theSharedKeyFileIsReadWithoutItsTrailingNewlineAndMustHoldEnoughBytes(@TempDir Path dir) throws Exception {
    Path good = Files.writeString(dir.resolve("claimsKey"), "k".repeat(GatewayClaims.MIN_SHARED_KEY_BYTES) + "\n");
    Path short_ = Files.writeString(dir.resolve("short"), "secret\n");

    assertThat(GatewayClaims.sharedKey(good)).hasValueSatisfying(key -> assertThat(new String(key,
        StandardCharsets.UTF_8)).isEqualTo("k".repeat(GatewayClaims.MIN_SHARED_KEY_BYTES)));
    assertThat(GatewayClaims.sharedKey(null)).isEmpty();
    assertThatThrownBy(() -> GatewayClaims.sharedKey(short_)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32");
    assertThatThrownBy(() -> GatewayClaims.sharedKey(dir.resolve("missing")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read");
  }

  @Test
  void aWaitIdKeepsAPlaceOnlyWhenSignedForThisBroadcastAndStillGood() {
    GatewayClaims claims = new GatewayClaims(() -> SHARED, clock);
    WaitingRoom room = new WaitingRoom(null, k -> Optional.empty(), claims, "replica-b", clock, Duration.ofSeconds(5),
        Runnable::run, GatewayMetrics.create());
    var fromA = new GatewayClaims.WaitPass("w-abc", SHOW, "replica-a", T0, T0.plusSeconds(60));
    String waitId = claims.wait(fromA);

    assertThat(room.place(SHOW, waitId)).contains(fromA);
    assertThat(room.place(SHOW, null)).isEmpty();
    assertThat(room.place(SHOW, "w-Zq3_xYw8bE0tNQ1a")).as("the format before wait passes: a fresh join").isEmpty();
    assertThatThrownBy(() -> room.place(new BroadcastKey("shows", "other"), waitId)).isInstanceOfSatisfying(
        ApiError.class, e -> assertThat(e.status()).isEqualTo(400));
    String forged = new GatewayClaims(Optional::empty, clock).wait(fromA);
    assertThatThrownBy(() -> room.place(SHOW, forged)).isInstanceOfSatisfying(ApiError.class,
        e -> assertThat(e.error()).isEqualTo("bad_request"));
    assertThatThrownBy(() -> room.place(SHOW, "../etc")).isInstanceOf(ApiError.class);
    clock.advance(Duration.ofSeconds(60));
    assertThat(room.place(SHOW, waitId)).as("lapsed: a fresh join").isEmpty();
  }
}
