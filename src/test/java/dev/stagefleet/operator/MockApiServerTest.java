package dev.stagefleet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** Why the tests use their own dispatcher: the stock mock's merge patch is not RFC 7386. */
class MockApiServerTest {
  static final String STORED = "{\"status\":{\"stages\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"phase\":\"Live\"}}";
  static final String PATCH = "{\"status\":{\"stages\":[{\"id\":\"b\"}],\"phase\":null}}";

  static JsonNode tree(String json) throws Exception {
    return Serialization.jsonMapper().readTree(json);
  }

  @Test
  void theStockMockAppendsArraysOnAMergePatch() throws Exception {
    JsonNode merged = new KubernetesCrudDispatcher().merge(tree(STORED), PATCH);
    assertThat(merged.get("status").get("stages")).hasSize(3);
  }

  @Test
  void theTestDispatcherReplacesArraysAndRemovesNulls() throws Exception {
    JsonNode merged = new MockApiServer.MergePatchingCrudDispatcher().merge(tree(STORED), PATCH);
    assertThat(merged).isEqualTo(tree("{\"status\":{\"stages\":[{\"id\":\"b\"}]}}"));
  }
}
