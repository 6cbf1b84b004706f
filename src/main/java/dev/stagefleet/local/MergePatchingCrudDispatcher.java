package dev.stagefleet.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fabric8's CRUD store with JSON merge patches applied as RFC 7386 says (the stock one appends to arrays and keeps
 * nulls, so a status write of {@code stages: [..]} would pile up old entries), and answering the
 * SelfSubjectRulesReview that java-operator-sdk sends before leader election as if everything were allowed. Every
 * change is written to a {@link ChangeJournal}, which HTTP watches are served from.
 */
public class MergePatchingCrudDispatcher extends KubernetesCrudDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(MergePatchingCrudDispatcher.class);
  private static final String RULES_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
  private final ChangeJournal journal;

  /** A store whose changes no one watches over HTTP (its WebSocket watches work as the stock store's). */
  public MergePatchingCrudDispatcher() {
    this(new ChangeJournal(1));
  }

  MergePatchingCrudDispatcher(ChangeJournal journal) {
    this.journal = journal;
  }

  /**
   * A write that changes the object gets a new resourceVersion. The stock store tells by computing a whole JSON patch
   * between the two (zjsonpatch, with move detection) on every write; equality says the same for much less.
   */
  @Override
  public void touchResourceVersion(JsonNode source, JsonNode target) {
    if (!Objects.equals(source, target)) {
      ((ObjectNode) target.get("metadata")).put("resourceVersion", String.valueOf(requestResourceVersion()));
    }
  }

  /** A write that changes anything but metadata and status bumps the generation, as the stock store's diff does. */
  @Override
  public void touchGeneration(JsonNode source, JsonNode target) {
    if (!Objects.equals(withoutMetadataAndStatus(source), withoutMetadataAndStatus(target))) {
      ((ObjectNode) target.get("metadata")).put("generation",
          source.path("metadata").path("generation").asInt(0) + 1);
    }
  }

  private static JsonNode withoutMetadataAndStatus(JsonNode object) {
    if (!(object instanceof ObjectNode node)) {
      return object;
    }
    ObjectNode rest = node.deepCopy();
    rest.remove("metadata");
    rest.remove("status");
    return rest;
  }

  /** Called by the store under its write lock for every create, update and delete. */
  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    String existing = oldAttributes == null ? null : map.get(oldAttributes);
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    if (Objects.equals(existing, newState)) {
      return;
    }
    if (newState == null) {
      // etcd gives a deletion its own revision, and the DELETED event carries it, so watchers resume after it
      long version = requestResourceVersion();
      journal.record(new ChangeJournal.Change(version, oldAttributes, withResourceVersion(existing, version), null,
          null));
      return;
    }
    AttributeSet newKey = storedUnder(pathAttributes, resource, newState);
    journal.record(new ChangeJournal.Change(resourceVersionOf(newState), oldAttributes, existing, newKey, newState));
  }

  /**
   * The key the store has just put {@code newState} under: worked out as the store does, checked against the store,
   * and only when that fails looked for among all stored objects.
   */
  private AttributeSet storedUnder(AttributeSet pathAttributes, GenericKubernetesResource resource, String newState) {
    if (attributeExtractor instanceof KubernetesAttributesExtractor extractor) {
      AttributeSet key = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
      if (!key.containsKey("plural")) {
        key = AttributeSet.merge(pathAttributes, key);
      }
      if (map.get(key) == newState) {
        return key;
      }
    }
    return map.entrySet().stream().filter(e -> e.getValue() == newState).map(Map.Entry::getKey)
        .findFirst().orElse(pathAttributes);
  }

  private static long resourceVersionOf(String object) {
    try {
      return Long.parseLong(Serialization.jsonMapper().readTree(object).path("metadata").path("resourceVersion")
          .asText("0"));
    } catch (JsonProcessingException | NumberFormatException e) {
      throw new IllegalStateException("the CRUD store holds an object without a numeric resourceVersion", e);
    }
  }

  private static String withResourceVersion(String object, long version) {
    try {
      JsonNode node = Serialization.jsonMapper().readTree(object);
      if (node.get("metadata") instanceof ObjectNode metadata) {
        metadata.put("resourceVersion", String.valueOf(version));
      }
      return node.toString();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the CRUD store holds an object that is not JSON", e);
    }
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (request.getPath().startsWith(RULES_REVIEWS)) {
      return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
          .setBody("{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"spec\":{},"
              + "\"status\":{\"incomplete\":false,\"nonResourceRules\":[],\"resourceRules\":[{\"verbs\":[\"*\"],"
              + "\"apiGroups\":[\"*\"],\"resources\":[\"*\"]}]}}");
    }
    try {
      return super.dispatch(request);
    } catch (RuntimeException e) {
      // the mock's own handlers can fail (its patch handler once threw on a JSON-patch "move" it had computed
      // itself); a real API server answers 500 then, and a request left unanswered would hang its client
      LOG.warn("{} {} failed in the CRUD store: {}", request.getMethod(), request.getPath(), e.toString());
      return ApiStatus.failure(500, "InternalError", "the request could not be carried out: " + e.getMessage());
    }
  }

  @Override
  public JsonNode merge(JsonNode source, String patch) throws KubernetesCrudDispatcherException {
    try {
      return mergePatch(source, Serialization.jsonMapper().readTree(patch));
    } catch (JsonProcessingException e) {
      throw new KubernetesCrudDispatcherException("the merge patch is not valid JSON: " + e.getOriginalMessage(), 400);
    }
  }

  /** RFC 7386: objects merge member by member, null removes a member, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
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
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }
}
