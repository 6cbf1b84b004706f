package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("apiserver")
class GatewayWarmUpTest {
  private static final String KEY_ARN = "arn:aws:ivs:us-east-1:123456789012:public-key/testkey";

  @Test
  void servesEveryWarmUpJoinThroughAPrivateCopyOfTheGateway() {
    GatewayWarmUp.Result result = GatewayWarmUp.run(GatewaySettings.defaults(), 400, Duration.ofSeconds(30));
    assertThat(result.placed()).isEqualTo(400);
    assertThat(result.failed()).isZero();
  }

  @Test
  void aStartingGatewayIsNotReadyWhileItWarmsUpAndNothingOfTheWarmUpLeavesTheProcess() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    GatewaySettings settings = GatewaySettings.builder().host("127.0.0.1").port(port).metricsPort(-1)
        .replicaId("replica-w").webRoot(null).warmUpJoins(2_000).build();
    KeyPair keys = SigningKey.generateKeyPair();
    try (KubeFixture kube = KubeFixture.start()) {
      var minter = new SelfSignedTokenMinter(new SigningKey((ECPrivateKey) keys.getPrivate(), KEY_ARN),
          Clock.systemUTC());
      var gateway = new GatewayServer(settings, kube.client, Clock.systemUTC(), minter);
      CompletableFuture<GatewayServer> started = CompletableFuture.supplyAsync(gateway::start);
      List<Integer> readyWhileStarting = new ArrayList<>();
      List<String> reasons = new ArrayList<>();
      while (!started.isDone()) {
        int code = ready(port, reasons);
        if (code > 0 && !started.isDone()) {
          readyWhileStarting.add(code);
        }
        Thread.sleep(20);
      }
      try (GatewayServer server = started.get()) {
        // 503 until the warm-up and the informers are done, then 200 (just before start() returns)
        int firstReady = readyWhileStarting.contains(200) ? readyWhileStarting.indexOf(200)
            : readyWhileStarting.size();
        assertThat(readyWhileStarting.subList(0, firstReady)).as("/ready while starting").isNotEmpty()
            .containsOnly(503);
        assertThat(readyWhileStarting.subList(firstReady, readyWhileStarting.size())).allSatisfy(c -> assertThat(c)
            .isEqualTo(200));
        assertThat(reasons).anySatisfy(r -> assertThat(r).contains("warming_up"));
        assertThat(server.ready()).isTrue();
        assertThat(ready(port, reasons)).isEqualTo(200);
        // the warm-up's joins, broadcast and reports stayed in its private copy
        assertThat(server.metrics().scrape()).doesNotContain("stagefleet_gateway_viewer_joins_total{");
        assertThat(server.directory().all()).isEmpty();
        assertThat(kube.client.resources(LiveBroadcast.class).inAnyNamespace().list().getItems()).isEmpty();
        assertThat(kube.client.namespaces().list().getItems())
            .noneSatisfy(ns -> assertThat(ns.getMetadata().getName()).isEqualTo(GatewayWarmUp.NAMESPACE));
      }
    }
  }

  @Test
  void noWarmUpWhenTurnedOff() {
    GatewayWarmUp.Result result = GatewayWarmUp.run(GatewaySettings.defaults(), 0, Duration.ofSeconds(30));
    assertThat(result.placed()).isZero();
    assertThat(result.took()).isEqualTo(Duration.ZERO);
  }

  /** GET /ready: its status code, the body's error appended to {@code reasons}; 0 when nothing listens yet. */
  private static int ready(int port, List<String> reasons) {
    try {
      var connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/ready").toURL()
          .openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(2_000);
      int code = connection.getResponseCode();
      var body = code >= 400 ? connection.getErrorStream() : connection.getInputStream();
      if (body != null) {
        reasons.add(new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
      connection.disconnect();
      return code;
    } catch (IOException e) {
      return 0;
    }
  }
}
