package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.emulator.IvsEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated viewers for local mode: each joins through the gateway's viewer API, connects to the emulated stage with its
 * token, keeps a presence socket, follows "move" messages, and (with churn) leaves again, so scaling can be watched.
 */
public final class AudienceSimulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AudienceSimulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to simulate: {@code audience} viewers joining over {@code ramp}; with churn they leave and come back. */
  public record Settings(URI gateway, String namespace, String name, int audience, Duration ramp, boolean churn) {
  }

  private final Settings settings;
  private final IvsEmulator emulator;
  /**
   * With churn, the audience stays away at least this long, so a scale-down can be seen: the gateway counts a
   * dropped viewer for its 30 s pending window, then the local example's 30 s stabilization window runs, then the
   * surplus stages drain and, empty, are deleted.
   */
  static final Duration AWAY_AT_LEAST = Duration.ofSeconds(90);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "audience-simulator");
    t.setDaemon(true);
    return t;
  });
  private final ConcurrentLinkedDeque<Viewer> present = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  public AudienceSimulator(Settings settings, IvsEmulator emulator) {
    this.settings = settings;
    this.emulator = emulator;
  }

  /** Starts the first wave of joins. */
  public void start() {
    joinWave();
  }

  private long spacingMillis() {
    return Math.max(1, settings.ramp().toMillis() / Math.max(1, settings.audience()));
  }

  private void joinWave() {
    long spacing = spacingMillis();
    for (int i = 0; i < settings.audience(); i++) {
      scheduler.schedule(this::joinOne, i * spacing, TimeUnit.MILLISECONDS);
    }
    if (settings.churn()) {
      // hold the full audience for one ramp, then let everybody leave over one ramp, then come back
      long full = settings.ramp().toMillis() * 2;
      scheduler.schedule(this::leaveWave, full, TimeUnit.MILLISECONDS);
    }
  }

  private void leaveWave() {
    long spacing = spacingMillis();
    for (int i = 0; i < settings.audience(); i++) {
      scheduler.schedule(this::leaveOne, i * spacing, TimeUnit.MILLISECONDS);
    }
    long away = Math.max(settings.ramp().toMillis() * 3, AWAY_AT_LEAST.toMillis());
    scheduler.schedule(this::joinWave, away, TimeUnit.MILLISECONDS);
  }

  private void joinOne() {
    if (closed) {
      return;
    }
    String path = "/api/v1/namespaces/" + settings.namespace() + "/livebroadcasts/" + settings.name() + "/viewers";
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(settings.gateway().resolve(path))
          .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        long retry = response.headers().firstValueAsLong("Retry-After").orElse(5);
        scheduler.schedule(this::joinOne, Math.max(1, retry), TimeUnit.SECONDS);
        return;
      }
      JsonNode body = JSON.readTree(response.body());
      Viewer viewer = new Viewer();
      viewer.connect(body.path("token").asText());
      viewer.openPresence(body.path("presenceUrl").asText());
      present.add(viewer);
    } catch (Exception e) {
      if (!closed) {
        LOG.debug("simulated viewer could not join: {}", e.toString());
        scheduler.schedule(this::joinOne, 2, TimeUnit.SECONDS);
      }
    }
  }

  private void leaveOne() {
    Viewer viewer = present.pollFirst();
    if (viewer != null) {
      viewer.leave();
    }
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    List<Viewer> all = new ArrayList<>(present);
    present.clear();
    all.forEach(Viewer::leave);
  }

  /** One simulated viewer: a participant in the emulator plus a presence socket to the gateway. */
  private final class Viewer implements WebSocket.Listener {
    private volatile String stageArn;
    private volatile String participantId;
    private volatile WebSocket presence;
    private final StringBuilder partial = new StringBuilder();

    /** Joins the stage the token is for, as the viewer page's SDK would. */
    void connect(String token) {
      var participant = emulator.join(token);
      this.stageArn = participant.stageArn();
      this.participantId = participant.participantId();
    }

    void openPresence(String presenceUrl) {
      URI uri = settings.gateway().resolve(presenceUrl);
      String ws = uri.toString().replaceFirst("^http", "ws");
      presence = http.newWebSocketBuilder().buildAsync(URI.create(ws), this).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode message = JSON.readTree(text);
          if ("move".equals(message.path("type").asText())) {
            // join the new stage first, then leave the old one, as the viewer page does
            String oldArn = stageArn;
            String oldId = participantId;
            connect(message.path("data").path("token").asText());
            emulator.leave(oldArn, oldId);
          } else if ("ended".equals(message.path("type").asText())) {
            present.remove(this);
            leave();
          }
        } catch (Exception e) {
          LOG.debug("simulated viewer ignored a message: {}", e.toString());
        }
      }
      webSocket.request(1);
      return null;
    }

    void leave() {
      WebSocket socket = presence;
      if (socket != null) {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
      }
      if (stageArn != null) {
        try {
          emulator.leave(stageArn, participantId);
        } catch (RuntimeException e) {
          LOG.debug("simulated viewer left a stage that is gone: {}", e.toString());
        }
      }
    }
  }
}
