package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.CustomResourceDefinitions;
import dev.stagefleet.local.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * Local mode's API server (plain HTTP) with the LiveBroadcast CRD applied, so the operator's tests meet what a cluster
 * does: objects pruned, defaulted and validated by the CRD's schema, the status subresource, RFC 7386 merge patches
 * and a permissive answer to java-operator-sdk's RBAC self-check before leader election.
 */
public final class MockApiServer implements AutoCloseable {
  private final EmbeddedApiServer server;
  private final KubernetesClient client;

  public MockApiServer() {
    this(request -> { });
  }

  /** With {@code observer} seeing every request as its client sent it, for tests that look at the requests. */
  public MockApiServer(Consumer<RecordedRequest> observer) {
    server = EmbeddedApiServer.start(0, Clock.systemUTC(), observer);
    client = server.newClient();
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

  /**
   * Runs the writes under a CRD without a schema, then restores it: the objects written are stored as given, as objects
   * stored before a CRD grew stricter are in a cluster (the only way an invalid spec reaches a reconciler).
   */
  public static void beforeTheSchemaTightened(KubernetesClient client, Runnable writes) {
    var crds = client.apiextensions().v1().customResourceDefinitions();
    var strict = crds.withName(CustomResourceDefinitions.liveBroadcast().getMetadata().getName()).get();
    var lenient = new CustomResourceDefinitionBuilder(strict).editSpec().editFirstVersion().withNewSchema()
        .withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema()
        .endSchema().endVersion().endSpec().build();
    crds.resource(lenient).update();
    try {
      writes.run();
    } finally {
      var current = crds.withName(strict.getMetadata().getName()).get();
      strict.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
      crds.resource(strict).update();
    }
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
