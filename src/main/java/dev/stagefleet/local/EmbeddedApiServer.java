package dev.stagefleet.local;

import dev.stagefleet.api.v1alpha1.CustomResourceDefinitions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A Kubernetes API server for one machine on loopback: fabric8's mock CRUD store with discovery, admission and Tables
 * so the standard kubectl works, watches streamed over HTTP by {@link WatchStreams} (the store's own WebSocket
 * watches serve the fabric8 client), and the LiveBroadcast CRD applied.
 */
public final class EmbeddedApiServer implements AutoCloseable {
  /** How many changes the server keeps for watches resuming from a version (kube-apiserver's watch cache is 100+). */
  static final int RETAINED_CHANGES = 10_000;
  /** How often a watch that asked for bookmarks gets one (kube-apiserver: about a minute). */
  static final Duration BOOKMARK_INTERVAL = Duration.ofMinutes(1);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  /** The WebSocket subprotocols of Kubernetes' streaming channels, which fabric8's WebSocket watches offer. */
  private static final List<String> CHANNEL_PROTOCOLS = List.of("v1.channel.k8s.io", "v2.channel.k8s.io",
      "v3.channel.k8s.io", "v4.channel.k8s.io");

  private final Vertx vertx;
  private final HttpServer server;
  private final int port;

  private EmbeddedApiServer(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
    this.port = server.actualPort();
  }

  /** Starts on the given loopback port (0 = any free port) and applies the LiveBroadcast CRD. */
  public static EmbeddedApiServer start(int port, Clock clock) {
    return start(port, clock, request -> { });
  }

  /**
   * Starts on the given loopback port; {@code observer} sees every request as the client sent it, before admission
   * (tests record what a component writes through it).
   */
  public static EmbeddedApiServer start(int port, Clock clock, Consumer<RecordedRequest> observer) {
    return start(port, clock, observer, RETAINED_CHANGES, BOOKMARK_INTERVAL);
  }

  /** Starts keeping only {@code retainedChanges} changes for watches, which bookmark every {@code bookmarkInterval}. */
  static EmbeddedApiServer start(int port, Clock clock, Consumer<RecordedRequest> observer, int retainedChanges,
      Duration bookmarkInterval) {
    Ports.ensureFree(port);
    var journal = new ChangeJournal(retainedChanges);
    var dispatcher = new KubectlDispatcher(new MergePatchingCrudDispatcher(journal), clock);
    Vertx vertx = Vertx.vertx();
    var watches = new WatchStreams(vertx, dispatcher, journal, bookmarkInterval);
    var store = new HttpServerRequestHandler(vertx) {
      @Override
      protected MockResponse onHttpRequest(RecordedRequest request) {
        observer.accept(request);
        return dispatcher.dispatch(request);
      }
    };
    HttpServerOptions options = new HttpServerOptions().setHost(InetAddress.getLoopbackAddress().getHostAddress())
        .setPort(port).setWebSocketSubProtocols(CHANNEL_PROTOCOLS).setHandle100ContinueAutomatically(true);
    HttpServer http = vertx.createHttpServer(options).requestHandler(request -> {
      if (WatchStreams.isHttpWatch(request)) {
        observer.accept(new RecordedRequest("GET " + request.uri() + " HTTP/1.1", HttpMethod.GET, request.uri(),
            Headers.builder().addAll(request.headers()).build(), new Buffer()));
        watches.serve(request);
      } else {
        store.handle(request);
      }
    });
    EmbeddedApiServer api;
    try {
      api = new EmbeddedApiServer(vertx, await(http.listen(), "listen on port " + port));
    } catch (IllegalStateException e) {
      vertx.close();
      throw e;
    }
    try (KubernetesClient client = api.newClient()) {
      client.apiextensions().v1().customResourceDefinitions().resource(CustomResourceDefinitions.liveBroadcast())
          .create();
    }
    dispatcher.prepare();
    return api;
  }

  /** http://127.0.0.1:PORT */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** A client of this server (the caller closes it). */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(clientConfig()).build();
  }

  /** Client configuration pointing at this server, namespace {@code default}. */
  public Config clientConfig() {
    Config config = Config.empty();
    config.setMasterUrl(url());
    config.setNamespace("default");
    config.setTrustCerts(true);
    config.setHttp2Disable(true);
    return config;
  }

  /** Writes a kubeconfig for kubectl and other clients, context {@code stagefleet-local}. */
  public Path writeKubeconfig(Path file) throws IOException {
    String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: stagefleet-local
          cluster:
            server: %s
        users:
        - name: stagefleet-local
          user:
            token: local
        contexts:
        - name: stagefleet-local
          context:
            cluster: stagefleet-local
            user: stagefleet-local
            namespace: default
        current-context: stagefleet-local
        """.formatted(url());
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, yaml);
    return file;
  }

  @Override
  public void close() {
    try {
      await(server.close(), "stop");
    } finally {
      await(vertx.close(), "stop");
    }
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the API server was trying to " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the API server could not " + what + ": " + e.getMessage(), e);
    }
  }
}
