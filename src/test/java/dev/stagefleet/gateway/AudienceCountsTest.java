package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.Audience.Viewer;
import dev.stagefleet.gateway.TokenMinter.MintedToken;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.testing.ManualClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The per-stage counts the audience keeps as viewers come and go must always equal a full recount. */
@Tag("apiserver")
class AudienceCountsTest {
  private static final Duration WINDOW = Duration.ofSeconds(30);
  private static final int STAGES = 4;
  private static final int PER_STAGE = 25;

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Map<BroadcastKey, LiveBroadcast> directory = new HashMap<>();
  private final Random random = new Random(20261124L);
  private boolean mintFails;

  @Test
  void incrementalCountsMatchAFullRecountThroughRandomJoinsPresenceExpiriesAndMoves() {
    Audience audience = audience();
    LiveBroadcast broadcast = broadcast("show");
    BroadcastKey key = BroadcastKey.of(broadcast);
    List<String> ids = new ArrayList<>();
    Map<String, SocketOutbox> sockets = new HashMap<>();
    int placed = 0;
    int expired = 0;
    int moved = 0;

    for (int step = 0; step < 4_000; step++) {
      int op = random.nextInt(100);
      if (op < 40) {
        mintFails = random.nextInt(10) == 0;
        try {
          ids.add(audience.join(broadcast, "user-" + step).viewerId());
          placed++;
        } catch (ApiError e) {
          assertThat(e.getMessage()).isNotBlank();
        }
      } else if (op < 55 && !ids.isEmpty()) {
        String id = ids.get(random.nextInt(ids.size()));
        Optional<Viewer> viewer = audience.viewer(key, id);
        if (viewer.isPresent()) {
          SocketOutbox socket = socket();
          sockets.put(id, socket);
          audience.connected(viewer.get(), socket);
        }
      } else if (op < 70 && !sockets.isEmpty()) {
        String id = new ArrayList<>(sockets.keySet()).get(random.nextInt(sockets.size()));
        SocketOutbox socket = sockets.remove(id);
        audience.viewer(key, id).ifPresent(v -> audience.disconnected(v, socket));
      } else if (op < 85) {
        clock.advance(Duration.ofMillis(random.nextInt(8_000)));
      } else if (op < 92) {
        // a stage starts draining or comes back; present viewers on a draining stage are moved where there is room
        List<StageStatus> stages = new ArrayList<>(broadcast.getStatus().stagesOrEmpty());
        int i = random.nextInt(stages.size());
        StageStatus s = stages.get(i);
        stages.set(i, stage(s.getId(), s.isActive() ? StageStatus.DRAINING : StageStatus.ACTIVE));
        broadcast.getStatus().setStages(stages);
        // some moves fail and are taken back: the new token cannot be minted, or the viewer's socket just closed
        mintFails = random.nextInt(4) == 0;
        if (!sockets.isEmpty() && random.nextInt(3) == 0) {
          new ArrayList<>(sockets.values()).get(random.nextInt(sockets.size()))
              .closeAfterSending(SocketOutbox.CLOSE_GOING_AWAY, "gone");
        }
        Map<String, Integer> before = bruteForce(audience, key, ids);
        audience.changed(broadcast);
        if (!bruteForce(audience, key, ids).equals(before)) {
          moved++;
        }
        mintFails = false;
      } else {
        Map<String, Integer> before = bruteForce(audience, key, ids);
        assertThat(audience.counts(key)).as("report counts at step %d", step).isEqualTo(before);
        expired += (int) ids.stream().filter(id -> audience.viewer(key, id).isEmpty()).count();
        ids.removeIf(id -> audience.viewer(key, id).isEmpty());
      }
      assertThat(audience.placementCounts(key)).as("placement counts at step %d", step)
          .isEqualTo(bruteForce(audience, key, ids));
    }
    // the sequence really exercised every path the counts follow
    assertThat(placed).isGreaterThan(500);
    assertThat(expired).isGreaterThan(100);
    assertThat(moved).isGreaterThan(10);
  }

  @Test
  void aViewerWhoseWindowPassedCountsAgainWhenItsPresenceSocketOpensBeforeItIsForgotten() {
    Audience audience = audience();
    LiveBroadcast broadcast = broadcast("late");
    BroadcastKey key = BroadcastKey.of(broadcast);
    String id = audience.join(broadcast, "u").viewerId();
    clock.advance(WINDOW);
    assertThat(audience.placementCounts(key)).isEmpty();

    audience.connected(audience.viewer(key, id).orElseThrow(), socket());

    assertThat(audience.placementCounts(key)).containsExactly(Map.entry("s0", 1));
    assertThat(audience.counts(key)).containsExactly(Map.entry("s0", 1));
  }

  @Test
  void aFailedMintLeavesNoCountBehind() {
    Audience audience = audience();
    LiveBroadcast broadcast = broadcast("mint");
    mintFails = true;
    assertThatThrownBy(() -> audience.join(broadcast, "u")).isInstanceOf(ApiError.class);
    assertThat(audience.placementCounts(BroadcastKey.of(broadcast))).isEmpty();
  }

  /** Every viewer the audience still knows, counted from scratch. */
  private Map<String, Integer> bruteForce(Audience audience, BroadcastKey key, List<String> ids) {
    Instant now = clock.instant();
    Map<String, Integer> counts = new TreeMap<>();
    for (String id : ids) {
      audience.viewer(key, id).ifPresent(v -> {
        if (v.present || v.since.plus(WINDOW).isAfter(now)) {
          counts.merge(v.stage.getId(), 1, Integer::sum);
        }
      });
    }
    return counts;
  }

  private Audience audience() {
    GatewayMetrics metrics = GatewayMetrics.create();
    TokenMinter minter = new TokenMinter() {
      @Override
      public MintedToken mint(TokenRequest request) {
        if (mintFails) {
          mintFails = false;
          throw new IvsException.Unavailable("ServiceUnavailable", 503, "emulated outage", null);
        }
        return new MintedToken("token", "p-" + random.nextInt(), clock.instant().plusSeconds(3600));
      }

      @Override
      public String mode() {
        return "self-signed";
      }
    };
    GatewaySettings settings = GatewaySettings.defaults().withReplicaId("replica-a")
        .withAudience(Duration.ofSeconds(1), Duration.ofSeconds(10), WINDOW);
    return new Audience(k -> Optional.ofNullable(directory.get(k)), new TokenIssuer(minter, metrics), clock,
        settings, Runnable::run, metrics);
  }

  private LiveBroadcast broadcast(String name) {
    LiveBroadcast broadcast = new LiveBroadcast();
    broadcast.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shows").build());
    LiveBroadcastSpec spec = new LiveBroadcastSpec();
    spec.setViewersPerStage(PER_STAGE);
    spec.setMaxStages(STAGES);
    var broadcaster = new LiveBroadcastSpec.Broadcaster();
    broadcaster.setApiKeySecretRef(new LiveBroadcastSpec.SecretKeyRef(name + "-key", "apiKey"));
    spec.setBroadcaster(broadcaster);
    broadcast.setSpec(spec);
    assertThat(spec.validate()).isEmpty();
    LiveBroadcastStatus status = new LiveBroadcastStatus();
    List<StageStatus> stages = new ArrayList<>();
    for (int i = 0; i < STAGES; i++) {
      stages.add(stage("s" + i, StageStatus.ACTIVE));
    }
    status.setStages(stages);
    broadcast.setStatus(status);
    directory.put(BroadcastKey.of(broadcast), broadcast);
    return broadcast;
  }

  private static StageStatus stage(String id, String state) {
    return KubeFixture.stage(id, state, null);
  }

  private SocketOutbox socket() {
    return new SocketOutbox(new SocketOutbox.Transport() {
      @Override
      public void send(String text, Runnable sent, Consumer<Throwable> failed) {
        sent.run();
      }

      @Override
      public void close(int code, String reason) {
      }
    }, 1_000, () -> { });
  }
}
