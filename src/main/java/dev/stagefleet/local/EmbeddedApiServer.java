package dev.stagefleet.local;

import dev.stagefleet.api.v1alpha1.CustomResourceDefinitions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.function.Consumer;

/**
 * A Kubernetes API server for one machine: fabric8's mock server in CRUD mode on loopback, with discovery and Tables
 * so the standard kubectl works, and the LiveBroadcast CRD applied.
 */
public final class EmbeddedApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final int port;

  private EmbeddedApiServer(KubernetesMockServer server, int port) {
    this.server = server;
    this.port = port;
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
    Ports.ensureFree(port);
    var dispatcher = new KubectlDispatcher(new MergePatchingCrudDispatcher(), clock);
    Dispatcher observed = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        observer.accept(request);
        return dispatcher.dispatch(request);
      }
    };
    var server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), observed, false);
    server.init(InetAddress.getLoopbackAddress(), port);
    var api = new EmbeddedApiServer(server, server.getPort());
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
    server.destroy();
  }
}
