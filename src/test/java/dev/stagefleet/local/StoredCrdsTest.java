package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.api.v1alpha1.CustomResourceDefinitions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StoredCrdsTest {
  /** The CRUD store, counting how often the CRD list is read from it. */
  static final class CountingStore extends MergePatchingCrudDispatcher {
    final AtomicInteger crdListReads = new AtomicInteger();

    @Override
    public MockResponse handleGet(String path) {
      if (path.endsWith("/customresourcedefinitions")) {
        crdListReads.incrementAndGet();
      }
      return super.handleGet(path);
    }
  }

  @Test
  void theCrdListIsReadOncePerCrdChangeNotOncePerRequest() {
    var store = new CountingStore();
    var server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubectlDispatcher(store, Clock.systemUTC()), false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      client.raw("/apis");
      client.raw("/apis/live.stagefleet.dev/v1alpha1");
      assertThat(client.raw("/apis")).doesNotContain("live.stagefleet.dev");
      int beforeWrite = store.crdListReads.get();
      assertThat(beforeWrite).isEqualTo(1);

      client.apiextensions().v1().customResourceDefinitions().resource(CustomResourceDefinitions.liveBroadcast())
          .create();
      assertThat(client.raw("/apis")).as("a CRD write is seen at once").contains("live.stagefleet.dev");
      client.raw("/apis/live.stagefleet.dev/v1alpha1");
      client.raw("/apis/live.stagefleet.dev/v1alpha1/namespaces/default/livebroadcasts");
      assertThat(store.crdListReads.get()).isEqualTo(beforeWrite + 1);
    } finally {
      server.destroy();
    }
  }
}
