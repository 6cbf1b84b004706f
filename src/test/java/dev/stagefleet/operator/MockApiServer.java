package dev.stagefleet.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * fabric8's CRUD mock API server (plain HTTP) with the LiveBroadcast CRD applied, and with JSON merge patches
 * applied as RFC 7386 says. The stock mock merges with Jackson's "reader for updating", which appends to arrays and
 * stores nulls instead of removing fields, so a status write of {@code stages: [..]} would pile up old entries.
 */
public final class MockApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  public MockApiServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new MergePatchingCrudDispatcher(), false);
    server.init();
    client = server.createClient();
    Broadcasts.applyCrd(client);
  }

  public KubernetesClient client() {
    return client;
  }

  /** A kubeconfig file pointing at this server, as a user would hand it to {@code stagefleet operator}. */
  public java.nio.file.Path writeKubeconfig(java.nio.file.Path file) throws java.io.IOException {
    String yaml = "apiVersion: v1\nkind: Config\nclusters:\n- name: mock\n  cluster:\n    server: "
        + client.getMasterUrl() + "\nusers:\n- name: mock\n  user:\n    token: mock\ncontexts:\n- name: mock\n"
        + "  context:\n    cluster: mock\n    user: mock\n    namespace: default\ncurrent-context: mock\n";
    return java.nio.file.Files.writeString(file, yaml);
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /**
   * The CRUD dispatcher with RFC 7386 merge patches, answering SelfSubjectRulesReviews (JOSDK's check before leader
   * election) as if every verb on every resource were allowed.
   */
  static final class MergePatchingCrudDispatcher extends KubernetesCrudDispatcher {
    private static final String RULES_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      if (request.getPath().startsWith(RULES_REVIEWS)) {
        return new MockResponse().setResponseCode(201).setBody("{\"apiVersion\":\"authorization.k8s.io/v1\","
            + "\"kind\":\"SelfSubjectRulesReview\",\"spec\":{},\"status\":{\"incomplete\":false,"
            + "\"nonResourceRules\":[],\"resourceRules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],"
            + "\"resources\":[\"*\"]}]}}");
      }
      return super.dispatch(request);
    }

    @Override
    public JsonNode merge(JsonNode source, String patch) throws KubernetesCrudDispatcherException {
      try {
        return apply(source, Serialization.jsonMapper().readTree(patch));
      } catch (JsonProcessingException e) {
        throw new KubernetesCrudDispatcherException(e.getMessage(), 400);
      }
    }

    static JsonNode apply(JsonNode target, JsonNode patch) {
      if (!patch.isObject()) {
        return patch.deepCopy();
      }
      ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
          : Serialization.jsonMapper().createObjectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getValue().isNull()) {
          result.remove(field.getKey());
        } else {
          result.set(field.getKey(), apply(result.get(field.getKey()), field.getValue()));
        }
      }
      return result;
    }
  }
}
