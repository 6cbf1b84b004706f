package dev.stagefleet.operator;

import dev.stagefleet.local.MergePatchingCrudDispatcher;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;

/**
 * fabric8's CRUD mock API server (plain HTTP) with the LiveBroadcast CRD applied, on local mode's dispatcher: JSON
 * merge patches as RFC 7386 says (the stock mock appends to arrays, so {@code status.stages} would pile up) and a
 * permissive answer to java-operator-sdk's RBAC self-check before leader election.
 */
public final class MockApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  public MockApiServer() {
    this(new MergePatchingCrudDispatcher());
  }

  /** On the given dispatcher, for tests that look at the requests (it must keep the CRUD behaviour). */
  public MockApiServer(MergePatchingCrudDispatcher dispatcher) {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    client = server.createClient();
    Broadcasts.applyCrd(client);
  }

  public KubernetesClient client() {
    return client;
  }

  /** Another client of this server whose requests carry {@code userAgent}, so a recording dispatcher tells them apart. */
  public KubernetesClient clientAs(String userAgent) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(userAgent)
            .build())
        .build();
  }

  /** A kubeconfig file pointing at this server, as a user would hand it to {@code stagefleet operator}. */
  public java.nio.file.Path writeKubeconfig(java.nio.file.Path file) throws java.io.IOException {
    String yaml = "apiVersion: v1\nkind: Config\nclusters:\n- name: mock\n  cluster:\n    server: "
        + client.getMasterUrl() + "\nusers:\n- name: mock\n  user:\n    token: mock\ncontexts:\n- name: mock\n"
        + "  context:\n    cluster: mock\n    user: mock\n    namespace: default\ncurrent-context: mock\n";
    return java.nio.file.Files.writeString(file, yaml);
  }

  /**
   * Hands the Lease to {@code holder}, freshly renewed, as another replica that took over would: whoever held it
   * sees on its next renewal that it lost it.
   */
  public void takeLease(String namespace, String name, String holder) {
    var leases = client.resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class).inNamespace(namespace);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
      leases.withName(name).edit(lease -> {
        lease.getSpec().setHolderIdentity(holder);
        lease.getSpec().setRenewTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
        lease.getSpec().setAcquireTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
        return lease;
      });
      return holder.equals(leases.withName(name).get().getSpec().getHolderIdentity());
    });
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
