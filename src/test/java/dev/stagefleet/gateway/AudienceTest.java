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
