package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CustomResourceDefinitions in the CRUD store, read once and kept until a CRD is written: discovery, Tables and
 * validation consult them on nearly every request.
 */
final class StoredCrds {
  static final String GROUP = "apiextensions.k8s.io";
  static final String PLURAL = "customresourcedefinitions";
  private static final String PATH = "/apis/" + GROUP + "/v1/" + PLURAL;

  private final KubernetesCrudDispatcher crud;
  private List<JsonNode> cached;

  StoredCrds(KubernetesCrudDispatcher crud) {
    this.crud = crud;
  }

  /** Every stored CRD, as JSON. */
  synchronized List<JsonNode> all() {
    if (cached == null) {
      List<JsonNode> crds = new ArrayList<>();
      ApiStatus.body(crud.handleGet(PATH)).path("items").forEach(crds::add);
      cached = List.copyOf(crds);
    }
    return cached;
  }

  /** Forgets the list; called after every write to a CRD, so the next read sees it. */
  synchronized void invalidate() {
    cached = null;
  }

  static boolean isCrdPath(ApiPath path) {
    return path.group().equals(GROUP) && PLURAL.equals(path.plural());
  }

  /** The CRD serving GROUP's PLURAL. */
  Optional<JsonNode> find(String group, String plural) {
    return all().stream().filter(crd -> crd.path("spec").path("group").asText().equals(group)
        && crd.path("spec").path("names").path("plural").asText().equals(plural)).findFirst();
  }

  /** The {@code spec.versions} entry of the CRD serving this path's group, version and plural. */
  Optional<JsonNode> version(ApiPath path) {
    return find(path.group(), path.plural()).flatMap(crd -> {
      for (JsonNode v : crd.path("spec").path("versions")) {
        if (v.path("name").asText().equals(path.version())) {
          return Optional.of(v);
        }
      }
      return Optional.empty();
    });
  }
}
