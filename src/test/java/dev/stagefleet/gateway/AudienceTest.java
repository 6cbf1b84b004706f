package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.TokenMinter.MintedToken;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.testing.ManualClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a join answers, and what it leaves in the counts the audience reports. */
class AudienceTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LiveBroadcast broadcast;
  private boolean mintFails;

  @Test
  void aJoinIsPlacedUntilEveryStageIsFullThenSaysWhetherAStageCanStillBeAdded() {
    Audience audience = audience(List.of(stage("s0", StageStatus.ACTIVE)), 2, 2);
    assertThat(audience.join(broadcast, "a")).isInstanceOf(JoinResult.Placed.class);
    assertThat(audience.join(broadcast, "b")).isInstanceOf(JoinResult.Placed.class);

    assertThat(audience.join(broadcast, "c")).isEqualTo(new JoinResult.Full(false, 2));

    broadcast.getSpec().setMaxStages(1);
    assertThat(audience.join(broadcast, "d")).isEqualTo(new JoinResult.Full(true, 1));
    assertThat(audience.counts(BroadcastKey.of(broadcast))).containsExactly(Map.entry("s0", 2));
  }

  @Test
  void aJoinHoldingAnOlderVersionOfTheBroadcastIsPlacedByTheNewestStatus() {
    Audience audience = audience(List.of(stage("s0", StageStatus.ACTIVE), stage("s1", StageStatus.ACTIVE)), 2, 2);
    LiveBroadcast older = broadcast;
    broadcast = new LiveBroadcast();
    broadcast.setMetadata(older.getMetadata());
    broadcast.setSpec(older.getSpec());
    LiveBroadcastStatus newer = new LiveBroadcastStatus();
    newer.setStages(List.of(stage("s0", StageStatus.DRAINING), stage("s1", StageStatus.ACTIVE)));
    broadcast.setStatus(newer);

    JoinResult result = audience.join(older, "a");

    assertThat(result).isInstanceOf(JoinResult.Placed.class);
    assertThat(((JoinResult.Placed) result).stage()).isSameAs(newer.getStages().get(1));
  }

  @Test
  void aJoinWithoutAnActiveStageFindsNoStage() {
    Audience audience = audience(List.of(stage("s0", StageStatus.DRAINING)), 2, 2);

    assertThat(audience.join(broadcast, "a")).isEqualTo(new JoinResult.NoStage());
  }

  @Test
  void aFailedMintLeavesNoCountBehind() {
    Audience audience = audience(List.of(stage("s0", StageStatus.ACTIVE)), 2, 2);
    mintFails = true;

    assertThatThrownBy(() -> audience.join(broadcast, "u")).isInstanceOf(TokenUnavailable.class)
        .extracting(e -> ((TokenUnavailable) e).reason()).isEqualTo(TokenUnavailable.Reason.IVS_UNAVAILABLE);
    assertThat(audience.counts(BroadcastKey.of(broadcast))).isEmpty();
  }

  @Test
  void aViewerWhoseWindowPassedCountsAgainWhenItsPresenceSocketOpensBeforeItIsForgotten() {
    Audience audience = audience(List.of(stage("s0", StageStatus.ACTIVE)), 2, 2);
    BroadcastKey key = BroadcastKey.of(broadcast);
    String id = ((JoinResult.Placed) audience.join(broadcast, "u")).viewerId();
    clock.advance(Duration.ofSeconds(30));

    audience.connected(audience.viewer(key, id).orElseThrow(), AudienceCountsTest.socket());

    assertThat(audience.counts(key)).containsExactly(Map.entry("s0", 1));
  }

  @Test
  void aWaiterFromAnotherReplicaIsReportedAsTakenOverWhetherSeatedAtOnceOrHeldUntilItsFirstReplicaForgetsIt() {
    Audience audience = audience(List.of(stage("s0", StageStatus.ACTIVE)), 1, 2);
    WaitingRoom room = room(audience);
    BroadcastKey key = BroadcastKey.of(broadcast);
    Instant now = clock.instant();

    assertThat(room.join(broadcast, "u", new GatewayClaims.WaitPass("w-1", key, "replica-b", now,
        now.plusSeconds(60))).now()).isInstanceOf(JoinResult.Placed.class);
    assertThat(room.waitingAdopted(key)).as("seated here, still waiting there").isEqualTo(Map.of("replica-b", 1));
    assertThat(room.waiting(key)).isZero();
    var held = room.join(broadcast, "v", new GatewayClaims.WaitPass("w-2", key, "replica-b", now,
        now.plusSeconds(60))).held();

    assertThat(held).isNotNull();
    assertThat(room.waiting(key)).isEqualTo(1);
    assertThat(room.waitingAdopted(key)).isEqualTo(Map.of("replica-b", 2));
    clock.advance(WaitingRoom.COME_BACK_WITHIN);
    assertThat(room.waitingAdopted(key)).as("replica-b has forgotten them").isEmpty();
    assertThat(room.waiting(key)).as("still held here").isEqualTo(1);
  }

  @Test
  void aWaiterThatComesBackAndIsSeatedAtOnceStopsCountingAsWaiting() {
    Audience audience = audience(List.of(stage("s0", StageStatus.ACTIVE)), 1, 2);
    WaitingRoom room = room(audience);
    BroadcastKey key = BroadcastKey.of(broadcast);
    assertThat(room.join(broadcast, "first", null).now()).isInstanceOf(JoinResult.Placed.class);
    WaitingRoom.Ticket ticket = room.join(broadcast, "u", null).held();
    room.released(key, ticket, WaitingRoom.COME_BACK_WITHIN);
    String waitId = room.waitId(key, ticket, WaitingRoom.COME_BACK_WITHIN);
    assertThat(room.waiting(key)).isEqualTo(1);

    // a seat opens between its requests, with no one held: its next ask is placed without queueing
    audience.seatBook().holdSeats(key, Map.of("s0", 2), clock.instant().plus(Duration.ofHours(1)));
    broadcast.getSpec().setViewersPerStage(2);
    assertThat(room.join(broadcast, "u", room.place(key, waitId).orElseThrow()).now())
        .isInstanceOf(JoinResult.Placed.class);

    assertThat(room.waiting(key)).as("placed, not waiting too").isZero();
    assertThat(room.waitingAdopted(key)).isEmpty();
  }

  @Test
  void aWaiterGoingRoundThreeReplicasWhileEachStillCountsItIsCountedOnceInTheSum() {
    Audience audience = audience(List.of(stage("s0", StageStatus.ACTIVE)), 1, 2);
    assertThat(audience.join(broadcast, "seated")).isInstanceOf(JoinResult.Placed.class);
    BroadcastKey key = BroadcastKey.of(broadcast);
    GatewayClaims claims = new GatewayClaims(Optional::empty, clock);
    Map<String, WaitingRoom> rooms = new java.util.LinkedHashMap<>();
    for (String replica : List.of("replica-a", "replica-b", "replica-c")) {
      rooms.put(replica, new WaitingRoom(audience, k -> Optional.of(broadcast), claims, replica, clock,
          Duration.ofSeconds(5), Runnable::run, GatewayMetrics.create()));
    }

    // each ask is held for a second, answered 202, and the next goes at once to the next replica
    String waitId = null;
    for (String replica : List.of("replica-a", "replica-b", "replica-c", "replica-a", "replica-b")) {
      WaitingRoom room = rooms.get(replica);
      var held = room.join(broadcast, "u", waitId == null ? null : room.place(key, waitId).orElseThrow()).held();
      for (int tenth = 0; tenth < 10; tenth++) {
        clock.advance(Duration.ofMillis(100));
        assertThat(summedWaiting(rooms, key)).as("while held by " + replica).isEqualTo(1);
      }
      room.released(key, held, WaitingRoom.COME_BACK_WITHIN);
      waitId = room.waitId(key, held, WaitingRoom.COME_BACK_WITHIN);
    }
    // it gave up: it stops counting everywhere once the last replica's keep ends
    for (int second = 0; second < 5; second++) {
      assertThat(summedWaiting(rooms, key)).as("%d s after it gave up", second).isEqualTo(1);
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(summedWaiting(rooms, key)).isZero();
  }

  /** What the operator sums from the three rooms' reports at this instant. */
  private int summedWaiting(Map<String, WaitingRoom> rooms, BroadcastKey key) {
    LiveBroadcastStatus status = new LiveBroadcastStatus();
    Map<String, LiveBroadcastStatus.AudienceReport> reports = new java.util.HashMap<>();
    rooms.forEach((replica, room) -> {
      var report = new LiveBroadcastStatus.AudienceReport(Map.of(), clock.instant().toString());
      report.setWaiting(room.waiting(key));
      report.setWaitingAdopted(room.waitingAdopted(key));
      reports.put(replica, report);
    });
    status.setAudience(reports);
    return dev.stagefleet.api.v1alpha1.AudienceReports.freshWaiting(status, clock.instant());
  }

  private WaitingRoom room(Audience audience) {
    return new WaitingRoom(audience, k -> Optional.of(broadcast), new GatewayClaims(Optional::empty, clock),
        "replica-a", clock, Duration.ofSeconds(5), Runnable::run, GatewayMetrics.create());
  }

  private Audience audience(List<StageStatus> stages, int perStage, int maxStages) {
    broadcast = new LiveBroadcast();
    broadcast.setMetadata(new ObjectMetaBuilder().withName("show").withNamespace("shows").build());
    LiveBroadcastSpec spec = new LiveBroadcastSpec();
    spec.setViewersPerStage(perStage);
    spec.setMaxStages(maxStages);
    var broadcaster = new LiveBroadcastSpec.Broadcaster();
    broadcaster.setApiKeySecretRef(new LiveBroadcastSpec.SecretKeyRef("show-key", "apiKey"));
    spec.setBroadcaster(broadcaster);
    broadcast.setSpec(spec);
    LiveBroadcastStatus status = new LiveBroadcastStatus();
    status.setStages(new ArrayList<>(stages));
    broadcast.setStatus(status);
    GatewayMetrics metrics = GatewayMetrics.create();
    TokenMinter minter = new TokenMinter() {
      @Override
      public MintedToken mint(TokenRequest request) {
        if (mintFails) {
          throw new IvsException.Unavailable("ServiceUnavailable", 503, "emulated outage", null);
        }
        return new MintedToken("token", "p", clock.instant().plusSeconds(3600));
      }

      @Override
      public String mode() {
        return "self-signed";
      }
    };
    GatewaySettings settings = GatewaySettings.builder().replicaId("replica-a")
        .audienceReportInterval(Duration.ofSeconds(1)).audienceRefreshInterval(Duration.ofSeconds(10))
        .pendingViewerWindow(Duration.ofSeconds(30)).build();
    Audience audience = new Audience(k -> Optional.of(broadcast), new TokenIssuer(minter, metrics),
        new GatewayClaims(Optional::empty, clock), clock, settings,
        Runnable::run, metrics);
    // the only replica: its seats are every stage's capacity, as its first report claims them
    audience.seatBook().holdSeats(BroadcastKey.of(broadcast), SeatShares.shares(broadcast, "replica-a", Map.of(), false,
        clock.instant()), clock.instant().plus(Duration.ofHours(1)));
    return audience;
  }

  private static StageStatus stage(String id, String state) {
    return KubeFixture.stage(id, state, null);
  }
}
