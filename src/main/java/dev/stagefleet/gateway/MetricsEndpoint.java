package dev.stagefleet.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** The gateway's Prometheus {@code /metrics}, on a port of its own that no Ingress routes to. */
final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "stagefleet-gateway-metrics");
    t.setDaemon(true);
    return t;
  });

  private MetricsEndpoint(String host, int port, Supplier<String> scrape) {
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + " for /metrics (--metrics-port)", e);
    }
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      try (exchange) {
        if ("/metrics".equals(exchange.getRequestURI().getPath())) {
          send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", scrape.get());
        } else {
          send(exchange, 404, "application/json", "{\"error\":\"not_found\",\"message\":\"Try /metrics\"}");
        }
      }
    });
  }

  static MetricsEndpoint start(String host, int port, Supplier<String> scrape) {
    MetricsEndpoint endpoint = new MetricsEndpoint(host, port, scrape);
    endpoint.server.start();
    return endpoint;
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange exchange, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
