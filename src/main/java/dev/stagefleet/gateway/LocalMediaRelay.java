package dev.stagefleet.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode's media path: relays WebRTC signalling between the broadcaster page and the viewer pages of each
 * emulated stage, so a broadcast on one machine carries real video (the emulator's stage endpoints name IVS's hosts,
 * which the SDK can never reach). Pages connect to {@code /local-media/{stageId}?role=publish|subscribe}; the relay
 * tells each side who is on the other side and passes {@code signal} messages between two peers of one stage. It
 * never sees media: the peers connect directly, on loopback. Only local mode turns it on.
 */
final class LocalMediaRelay {
  static final String PATH = "/local-media/{stageId}";
  private static final Logger LOG = LoggerFactory.getLogger(LocalMediaRelay.class);
  private static final Pattern STAGE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int POLICY_VIOLATION = 1008;

  private enum Role {
    PUBLISH, SUBSCRIBE
  }

  private record Peer(String id, String stageId, Role role, WsContext ctx) {
  }

  /** Peers by socket session id. */
  private final Map<String, Peer> peers = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  void routes(RoutesConfig routes) {
    routes.ws(PATH, ws -> {
      ws.onConnect(this::connected);
      ws.onMessage(ctx -> signal(ctx, ctx.message()));
      ws.onClose(this::left);
      ws.onError(this::left);
    });
  }

  private void connected(WsContext ctx) {
    String stageId = ctx.pathParam("stageId");
    String roleParam = ctx.queryParam("role");
    if (!STAGE_ID.matcher(stageId).matches() || !("publish".equals(roleParam) || "subscribe".equals(roleParam))) {
      ctx.closeSession(POLICY_VIOLATION, "connect to /local-media/{stageId}?role=publish or ?role=subscribe");
      return;
    }
    Role role = "publish".equals(roleParam) ? Role.PUBLISH : Role.SUBSCRIBE;
    Peer peer = new Peer("p" + sequence.incrementAndGet(), stageId, role, ctx);
    // one lock for the whole relay: joins and leaves are rare, and it keeps each socket's sends in order
    synchronized (this) {
      ObjectNode welcome = SocketMessages.JSON.createObjectNode().put("type", "welcome").put("id", peer.id());
      var others = welcome.putArray("peers");
      for (Peer other : counterparts(peer)) {
        others.addObject().put("id", other.id()).put("role", other.role().name().toLowerCase());
        send(other, SocketMessages.JSON.createObjectNode().put("type", "peer-joined").put("id", peer.id())
            .put("role", role.name().toLowerCase()));
      }
      peers.put(ctx.sessionId(), peer);
      send(peer, welcome);
    }
    LOG.debug("local media: {} joined stage {} to {}", peer.id(), stageId, role);
  }

  private void signal(WsContext ctx, String text) {
    Peer from = peers.get(ctx.sessionId());
    JsonNode message;
    try {
      message = SocketMessages.JSON.readTree(text);
    } catch (java.io.IOException e) {
      return;
    }
    if (from == null || !"signal".equals(message.path("type").asText()) || !message.has("data")) {
      return;
    }
    String to = message.path("to").asText();
    synchronized (this) {
      for (Peer other : counterparts(from)) {
        if (other.id().equals(to)) {
          send(other, SocketMessages.JSON.createObjectNode().put("type", "signal").put("from", from.id())
              .set("data", message.get("data")));
        }
      }
    }
  }

  private void left(WsContext ctx) {
    synchronized (this) {
      Peer peer = peers.remove(ctx.sessionId());
      if (peer == null) {
        return;
      }
      for (Peer other : counterparts(peer)) {
        send(other, SocketMessages.JSON.createObjectNode().put("type", "peer-left").put("id", peer.id()));
      }
    }
  }

  /** The peers of the same stage on the other side: a publisher's subscribers, a subscriber's publishers. */
  private List<Peer> counterparts(Peer peer) {
    List<Peer> found = new ArrayList<>();
    for (Peer other : peers.values()) {
      if (other.stageId().equals(peer.stageId()) && other.role() != peer.role()) {
        found.add(other);
      }
    }
    return found;
  }

  private static void send(Peer peer, JsonNode message) {
    try {
      peer.ctx().send(message.toString());
    } catch (RuntimeException e) {
      // the socket is closing; its close event removes the peer
      LOG.debug("local media: cannot reach {}: {}", peer.id(), e.getMessage());
    }
  }

  /** Closes every socket (shutdown). */
  void closeAll() {
    for (Peer peer : peers.values()) {
      try {
        peer.ctx().closeSession(1001, "the gateway is shutting down");
      } catch (RuntimeException e) {
        LOG.debug("local media: closing {} failed: {}", peer.id(), e.getMessage());
      }
    }
  }
}
