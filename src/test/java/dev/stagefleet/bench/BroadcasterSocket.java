package dev.stagefleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A broadcaster's events socket on the gateway, as the broadcaster page opens it: fetch a one-time ticket with the API
 * key, connect, and keep every message with the {@link System#nanoTime()} it arrived at.
 */
final class BroadcasterSocket implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A message and when it arrived. */
  record Message(long receivedAt, String type, JsonNode data) {
  }

  private final List<Message> messages = new CopyOnWriteArrayList<>();
  private final WebSocket socket;

  private BroadcasterSocket(HttpClient http, URI uri) {
    StringBuilder partial = new StringBuilder();
    this.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(uri,
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
              keep(now, partial.toString());
              partial.setLength(0);
            }
            webSocket.request(1);
            return null;
          }
        }).orTimeout(15, TimeUnit.SECONDS).join();
  }

  /** Connects to the events socket of {@code ns/name} on the gateway at {@code port}. */
  static BroadcasterSocket connect(HttpClient http, int port, String namespace, String name, String apiKey)
      throws IOException, InterruptedException {
    String base = "http://127.0.0.1:" + port;
    HttpResponse<String> ticket = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/" + namespace
        + "/livebroadcasts/" + name + "/ws-ticket")).header("x-api-key", apiKey)
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (ticket.statusCode() != 200) {
      throw new IllegalStateException("the gateway refused a socket ticket: " + ticket.statusCode() + " "
          + ticket.body());
    }
    String path = JSON.readTree(ticket.body()).path("url").asText();
    return new BroadcasterSocket(http, URI.create("ws://127.0.0.1:" + port + path));
  }

  private void keep(long receivedAt, String text) {
    try {
      JsonNode message = JSON.readTree(text);
      messages.add(new Message(receivedAt, message.path("type").asText(), message.path("data")));
    } catch (IOException e) {
      messages.add(new Message(receivedAt, "unparseable", null));
    }
  }

  /** The first message received at or after {@code since} that matches, waiting up to {@code timeout}. */
  Message await(long since, Duration timeout, String what, Predicate<Message> matches) {
    Message[] found = new Message[1];
    Waits.until(timeout, Duration.ofMillis(5), what, () -> {
      for (Message message : messages) {
        if (message.receivedAt() >= since && matches.test(message)) {
          found[0] = message;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  /** How many messages arrived so far. */
  int size() {
    return messages.size();
  }

  /** The {@code index}-th message received (0 is the first). */
  Message message(int index) {
    return messages.get(index);
  }

  /** Messages of a type received so far. */
  long count(String type) {
    return messages.stream().filter(m -> m.type().equals(type)).count();
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bench done").orTimeout(5, TimeUnit.SECONDS)
        .exceptionally(e -> null).join();
  }
}
