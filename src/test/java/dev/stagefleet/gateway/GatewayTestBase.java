package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSObject;
import dev.stagefleet.testing.ManualClock;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import static org.awaitility.Awaitility.await;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** One mock API server and one gateway (self-signed tokens) per test class; each test uses its own broadcast names. */
@Tag("apiserver")
abstract class GatewayTestBase {
  static final String NS = "shows";
  static final String KEY_ARN = "arn:aws:ivs:us-east-1:123456789012:public-key/testkey";
  private static final AtomicInteger NAMES = new AtomicInteger();

  static KubeFixture kube;
  static KeyPair keyPair;
  static TokenRecordingIvs ivs;
  static GatewayServer gateway;
  static GatewayClient http;
  /** The gateway's clock (tokens are signed with real time; windows and reports follow this one). */
  static ManualClock clock;

  @BeforeAll
  static void startGateway() {
    kube = KubeFixture.start();
    keyPair = SigningKey.generateKeyPair();
    ivs = new TokenRecordingIvs(Clock.systemUTC());
    clock = ManualClock.followingSystemTime();
    gateway = startGateway(testSettings());
    http = new GatewayClient(gateway.port());
  }

  @AfterAll
  static void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  static GatewaySettings testSettings() {
    return GatewaySettings.builder().host("127.0.0.1").port(0).metricsPort(0)
        .replicaId("replica-a")
        .webRoot(null).viewerJoinsPerSecondPerIp(100_000)
        .audienceReportInterval(Duration.ofMillis(100)).audienceRefreshInterval(Duration.ofSeconds(10))
        .pendingViewerWindow(Duration.ofSeconds(30)).build();
  }

  static GatewayServer startGateway(GatewaySettings settings) {
    var minter = new SelfSignedTokenMinter(new SigningKey((java.security.interfaces.ECPrivateKey)
        keyPair.getPrivate(), KEY_ARN), Clock.systemUTC());
    return new GatewayServer(settings, kube.client, clock, minter).start();
  }

  /** Creates a broadcast (API key "key-NAME") and waits until the gateway has seen it and its Secret. */
  static String broadcast(String prefix, int viewersPerStage, int maxStages) {
    String name = uniqueName(prefix);
    kube.createBroadcast(NS, name, "key-" + name, viewersPerStage, maxStages);
    BroadcastKey key = new BroadcastKey(NS, name);
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.directory().find(key)
        .flatMap(b -> gateway.directory().apiKey(b)).isPresent());
    return name;
  }

  /** Writes status.stages and waits until the class's gateway sees them. */
  static void stages(String name, StageStatus... stages) {
    stagesOn(gateway, name, stages);
  }

  /** Writes status.stages and waits until {@code server} sees them and the broadcast's API key. */
  static void stagesOn(GatewayServer server, String name, StageStatus... stages) {
    kube.setStages(NS, name, stages);
    List<StageStatus> expected = Arrays.asList(stages);
    BroadcastKey key = new BroadcastKey(NS, name);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.directory().find(key)
        .filter(b -> server.directory().apiKey(b).isPresent())
        .map(b -> b.getStatus() == null ? List.of() : b.getStatus().stagesOrEmpty())
        .orElse(List.of()).equals(expected));
  }

  static String uniqueName(String prefix) {
    return prefix + "-" + NAMES.incrementAndGet();
  }

  static String base(String name) {
    return "/api/v1/namespaces/" + NS + "/livebroadcasts/" + name;
  }

  /** Verifies a self-signed token's signature and returns its claims. */
  static Map<String, Object> verifiedClaims(String token) {
    try {
      JWSObject jws = JWSObject.parse(token);
      assertThat(jws.verify(new ECDSAVerifier((ECPublicKey) keyPair.getPublic()))).as("signature").isTrue();
      assertThat(jws.getHeader().getKeyID()).isEqualTo(KEY_ARN);
      return jws.getPayload().toJSONObject();
    } catch (Exception e) {
      throw new AssertionError("not a valid self-signed token: " + e.getMessage(), e);
    }
  }
}
