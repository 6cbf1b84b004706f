package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Local mode's signalling relay: the pages of one emulated stage find each other and exchange descriptions. */
@Tag("apiserver")
class LocalMediaRelayTest extends GatewayTestBase {
  private static GatewayServer local;
  private static GatewayClient localHttp;

  @BeforeAll
  static void startLocalGateway() {
    var minter = new SelfSignedTokenMinter(new SigningKey((java.security.interfaces.ECPrivateKey)
        keyPair.getPrivate(), KEY_ARN), Clock.systemUTC());
    local = new GatewayServer(testSettings(), kube.client, clock, minter).relayLocalMedia().start();
    localHttp = new GatewayClient(local.port());
  }

  @AfterAll
  static void stopLocalGateway() {
    if (local != null) {
      local.close();
    }
  }

  @Test
  void aBroadcasterAndAViewerOfOneStageMeetAndTheirDescriptionsPass() {
    GatewayClient.Socket viewer = localHttp.socket("/local-media/stage1?role=subscribe");
    JsonNode viewerWelcome = viewer.next("welcome");
    assertThat(viewerWelcome.path("peers")).isEmpty();
    GatewayClient.Socket broadcaster = localHttp.socket("/local-media/stage1?role=publish");
    JsonNode broadcasterWelcome = broadcaster.next("welcome");
    String viewerId = viewerWelcome.path("id").asText();
    String broadcasterId = broadcasterWelcome.path("id").asText();
    assertThat(broadcasterWelcome.path("peers").get(0).path("id").asText()).isEqualTo(viewerId);
    assertThat(viewer.next("peer-joined").path("id").asText()).isEqualTo(broadcasterId);

    broadcaster.send("{\"type\":\"signal\",\"to\":\"" + viewerId + "\",\"data\":{\"description\":{\"type\":\"offer\"}}}");
    JsonNode offer = viewer.next("signal");
    assertThat(offer.path("from").asText()).isEqualTo(broadcasterId);
    assertThat(offer.path("data").path("description").path("type").asText()).isEqualTo("offer");

    viewer.close();
    assertThat(broadcaster.next("peer-left").path("id").asText()).isEqualTo(viewerId);
    broadcaster.close();
  }

  @Test
  void pagesOfAnotherStageAreNeitherToldNorReachable() {
    GatewayClient.Socket elsewhere = localHttp.socket("/local-media/stage2?role=subscribe");
    String elsewhereId = elsewhere.next("welcome").path("id").asText();
    GatewayClient.Socket broadcaster = localHttp.socket("/local-media/stage3?role=publish");
    assertThat(broadcaster.next("welcome").path("peers")).isEmpty();
    broadcaster.send("{\"type\":\"signal\",\"to\":\"" + elsewhereId + "\",\"data\":{}}");
    GatewayClient.Socket viewer = localHttp.socket("/local-media/stage3?role=subscribe");
    viewer.next("welcome");
    assertThat(broadcaster.next("peer-joined").path("id").asText()).isNotEqualTo(elsewhereId);
    assertThat(elsewhere.messages).as("nothing from another stage").isEmpty();
    elsewhere.close();
    broadcaster.close();
    viewer.close();
  }

  @Test
  void aSocketWithoutARoleIsClosedWithTheReason() {
    GatewayClient.Socket socket = localHttp.socket("/local-media/stage4");
    assertThat(socket.awaitClosed(Duration.ofSeconds(5))).isEqualTo(1008);
  }

  @Test
  void aGatewayOutsideLocalModeHasNoRelay() {
    assertThat(http.refusedSocket("/local-media/stage1?role=subscribe")).isEqualTo(404);
  }
}
