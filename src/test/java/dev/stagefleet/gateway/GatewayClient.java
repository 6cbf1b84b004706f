package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The real JDK HTTP and WebSocket clients pointed at a gateway, with JSON helpers for tests. */
final class GatewayClient {
  static final ObjectMapper JSON = new ObjectMapper();

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  final URI base;

  GatewayClient(int port) {
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /** A response: status, parsed JSON body (null when not JSON), headers. */
  record Reply(int status, JsonNode json, String body, HttpResponse<String> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  Reply get(String path, String... headers) {
    return send(request(path, headers).GET().build());
  }

  Reply post(String path, String body, String... headers) {
    return send(request(path, headers).header("Content-Type", "application/json")
        .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder;
  }

  Reply send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      try {
        json = response.body().isEmpty() ? null : JSON.readTree(response.body());
      } catch (IOException notJson) {
        json = null;
      }
      return new Reply(response.statusCode(), json, response.body(), response);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Opens a WebSocket; fails the test if the upgrade is refused. */
  Socket socket(String pathAndQuery) {
    Socket socket = new Socket();
    try {
      socket.ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
          .buildAsync(URI.create("ws://127.0.0.1:" + base.getPort() + pathAndQuery), socket).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("WebSocket " + pathAndQuery + " was refused", e);
    }
    return socket;
  }

  /** The HTTP status with which a WebSocket upgrade is refused. */
  int refusedSocket(String pathAndQuery) {
    try {
      WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + base.getPort()
          + pathAndQuery), new Socket()).get(10, TimeUnit.SECONDS);
      ws.abort();
      throw new AssertionError("WebSocket " + pathAndQuery + " was accepted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A WebSocket client that keeps every message it receives. */
  static final class Socket implements WebSocket.Listener {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          messages.add(JSON.readTree(partial.toString()));
        } catch (IOException e) {
          throw new CompletionException(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      webSocket.request(1);
      return null;
    }

    /** The next message of this type (others, such as heartbeats, are skipped), within the timeout. */
    JsonNode next(String type, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<String> skipped = new ArrayList<>();
      while (true) {
        long left = deadline - System.nanoTime();
        JsonNode message;
        try {
          message = left <= 0 ? null : messages.poll(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
        if (message == null) {
          throw new AssertionError("no " + type + " message within " + timeout + "; skipped " + skipped);
        }
        if (type.equals(message.path("type").asText())) {
          return message;
        }
        skipped.add(message.path("type").asText());
      }
    }

    JsonNode next(String type) {
      return next(type, Duration.ofSeconds(5));
    }

    void send(String text) {
      ws.sendText(text, true).join();
    }

    void close() {
      if (ws != null && !ws.isOutputClosed()) {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
      }
    }

    int awaitClosed(Duration timeout) {
      try {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError("the socket did not close within " + timeout, e);
      }
    }
  }

  static void assertError(Reply reply, int status) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.json()).as("error body of " + reply.body()).isNotNull();
    assertThat(reply.json().path("error").asText()).isNotBlank();
    assertThat(reply.json().path("message").asText()).isNotBlank();
    assertThat(reply.body()).doesNotContain("at dev.stagefleet", "Exception");
  }
}
