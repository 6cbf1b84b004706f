package dev.stagefleet.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The operator's small HTTP server: {@code /healthz} (alive), {@code /readyz} (watching), {@code /metrics}. */
final class HealthServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "stagefleet-operator-health");
    t.setDaemon(true);
    return t;
  });

  HealthServer(int port, BooleanSupplier alive, BooleanSupplier ready, Supplier<String> metrics) {
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port + " for /healthz, /readyz and /metrics", e);
    }
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      try (exchange) {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
          send(exchange, 405, "application/json",
              "{\"error\":\"method_not_allowed\",\"message\":\"Only GET is supported\"}");
          return;
        }
        switch (exchange.getRequestURI().getPath()) {
          case "/healthz" -> status(exchange, alive.getAsBoolean());
          case "/readyz" -> status(exchange, ready.getAsBoolean());
          case "/metrics" -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
          default -> send(exchange, 404, "application/json",
              "{\"error\":\"not_found\",\"message\":\"Try /healthz, /readyz or /metrics\"}");
        }
      }
    });
  }

  HealthServer start() {
    server.start();
    return this;
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void status(HttpExchange exchange, boolean ok) throws IOException {
    send(exchange, ok ? 200 : 503, "application/json", ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unavailable\"}");
  }

  private static void send(HttpExchange exchange, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(code, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
