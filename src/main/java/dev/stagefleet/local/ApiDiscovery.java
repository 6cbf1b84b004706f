package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What kubectl asks before it does anything: {@code /version}, {@code /api}, {@code /apis}, the resource list of each
 * group-version (the built-in kinds kept here plus every stored CRD), the kind each resource holds and its printer
 * columns.
 */
final class ApiDiscovery {
  /** A built-in resource served by the CRUD store, as discovery lists it. */
  private record BuiltIn(String group, String version, String plural, String kind, boolean namespaced,
      String shortName) {
  }

  /** The kind a resource holds, with its apiVersion. */
  record ResourceKind(String apiVersion, String kind) {
  }

  private static final List<BuiltIn> BUILT_INS = List.of(
      new BuiltIn("", "v1", "namespaces", "Namespace", false, "ns"),
      new BuiltIn("", "v1", "secrets", "Secret", true, null),
      new BuiltIn("", "v1", "configmaps", "ConfigMap", true, "cm"),
      new BuiltIn("", "v1", "events", "Event", true, "ev"),
      new BuiltIn("", "v1", "services", "Service", true, "svc"),
      new BuiltIn("", "v1", "serviceaccounts", "ServiceAccount", true, "sa"),
      new BuiltIn("", "v1", "pods", "Pod", true, "po"),
      new BuiltIn(StoredCrds.GROUP, "v1", StoredCrds.PLURAL, "CustomResourceDefinition", false, "crd"),
      new BuiltIn("coordination.k8s.io", "v1", "leases", "Lease", true, null),
      new BuiltIn("events.k8s.io", "v1", "events", "Event", true, "ev"));

  private final StoredCrds crds;

  ApiDiscovery(StoredCrds crds) {
    this.crds = crds;
  }

  /** The discovery answer for this path, or empty when the path is not a discovery path. */
  Optional<MockResponse> answer(String path, Optional<ApiPath> apiPath) {
    switch (path) {
      case "/version":
        return Optional.of(ApiStatus.json(200, ApiStatus.JSON.createObjectNode().put("major", "1").put("minor", "32")
            .put("gitVersion", "v1.32.0-stagefleet-local").put("platform", "linux/amd64")
            .put("goVersion", "go1.23").put("compiler", "gc").put("buildDate", "2026-01-01T00:00:00Z")
            .put("gitCommit", "stagefleet").put("gitTreeState", "clean")));
      case "/api": {
        ObjectNode versions = ApiStatus.JSON.createObjectNode().put("kind", "APIVersions");
        versions.putArray("versions").add("v1");
        versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
            .put("serverAddress", "127.0.0.1");
        return Optional.of(ApiStatus.json(200, versions));
      }
      case "/apis":
        return Optional.of(ApiStatus.json(200, groupList()));
      default:
        break;
    }
    return apiPath.filter(ApiPath::isGroupVersion).map(gv -> {
      ObjectNode list = resourceList(gv);
      boolean served = gv.group().isEmpty() ? gv.version().equals("v1") : groupVersions().containsKey(gv.group())
          && groupVersions().get(gv.group()).contains(gv.version());
      return served ? ApiStatus.json(200, list) : ApiStatus.noSuchResource();
    });
  }

  /** The collections of every namespaced resource served (built-in kinds and stored CRDs) inside this namespace. */
  List<ApiPath> namespacedCollections(String namespace) {
    List<ApiPath> collections = new ArrayList<>();
    BUILT_INS.stream().filter(BuiltIn::namespaced)
        .forEach(b -> collections.add(new ApiPath(b.group(), b.version(), namespace, b.plural(), null, null)));
    for (JsonNode crd : crds.all()) {
      JsonNode spec = crd.path("spec");
      if ("Namespaced".equals(spec.path("scope").asText())) {
        spec.path("versions").forEach(v -> collections.add(new ApiPath(spec.path("group").asText(),
            v.path("name").asText(), namespace, spec.path("names").path("plural").asText(), null, null)));
      }
    }
    return collections;
  }

  /** The kind the resource at this path holds, for a built-in kind or a stored CRD. */
  Optional<ResourceKind> kindOf(ApiPath path) {
    for (BuiltIn b : BUILT_INS) {
      if (b.group().equals(path.group()) && b.version().equals(path.version()) && b.plural().equals(path.plural())) {
        return Optional.of(new ResourceKind(path.groupVersion(), b.kind()));
      }
    }
    return crds.version(path).flatMap(v -> crds.find(path.group(), path.plural()))
        .map(crd -> new ResourceKind(path.groupVersion(), crd.path("spec").path("names").path("kind").asText()));
  }

  /**
   * The CRUD store answers every list as kind {@code List}; typed clients (kubectl describe reading Events) want
   * {@code EventList} and the like, and silently show nothing otherwise.
   */
  MockResponse typedList(MockResponse response, ApiPath path) {
    Optional<ResourceKind> kind = path.isObject() ? Optional.empty() : kindOf(path);
    if (kind.isEmpty()) {
      return response;
    }
    JsonNode body = ApiStatus.body(response);
    if (!(body instanceof ObjectNode list) || !"List".equals(list.path("kind").asText())) {
      return response;
    }
    list.put("kind", kind.get().kind() + "List").put("apiVersion", kind.get().apiVersion());
    return ApiStatus.json(200, list);
  }

  /** The Table printer of this path: kube-apiserver's for Events, else the CRD's printer columns (none for others). */
  TableRenderer.Printer printer(ApiPath path) {
    if (path.group().isEmpty() && "events".equals(path.plural())) {
      return new EventPrinter();
    }
    List<JsonNode> columns = new ArrayList<>();
    crds.version(path).ifPresent(v -> v.path("additionalPrinterColumns").forEach(columns::add));
    return TableRenderer.crdColumns(columns);
  }

  private ObjectNode groupList() {
    ObjectNode list = ApiStatus.JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    groupVersions().forEach((group, versions) -> {
      ObjectNode g = groups.addObject().put("name", group);
      ArrayNode vs = g.putArray("versions");
      versions.forEach(v -> vs.addObject().put("groupVersion", group + "/" + v).put("version", v));
      String preferred = versions.iterator().next();
      g.putObject("preferredVersion").put("groupVersion", group + "/" + preferred).put("version", preferred);
    });
    return list;
  }

  /** The versions of every named group served (built-in groups and stored CRDs). */
  private Map<String, Set<String>> groupVersions() {
    Map<String, Set<String>> byGroup = new LinkedHashMap<>();
    BUILT_INS.stream().filter(b -> !b.group().isEmpty())
        .forEach(b -> byGroup.computeIfAbsent(b.group(), g -> new LinkedHashSet<>()).add(b.version()));
    for (JsonNode crd : crds.all()) {
      String group = crd.path("spec").path("group").asText();
      crd.path("spec").path("versions").forEach(v -> byGroup.computeIfAbsent(group, g -> new LinkedHashSet<>())
          .add(v.path("name").asText()));
    }
    return byGroup;
  }

  private ObjectNode resourceList(ApiPath gv) {
    ObjectNode list = ApiStatus.JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", gv.groupVersion());
    ArrayNode resources = list.putArray("resources");
    for (BuiltIn b : BUILT_INS) {
      if (b.group().equals(gv.group()) && b.version().equals(gv.version())) {
        addResource(resources, b.plural(), b.plural().replaceAll("s$", ""), b.kind(), b.namespaced(),
            b.shortName() == null ? List.of() : List.of(b.shortName()), List.of(), false);
      }
    }
    for (JsonNode crd : crds.all()) {
      JsonNode spec = crd.path("spec");
      if (!spec.path("group").asText().equals(gv.group())) {
        continue;
      }
      for (JsonNode v : spec.path("versions")) {
        if (!v.path("name").asText().equals(gv.version())) {
          continue;
        }
        JsonNode names = spec.path("names");
        String plural = names.path("plural").asText();
        boolean namespaced = "Namespaced".equals(spec.path("scope").asText());
        addResource(resources, plural, names.path("singular").asText(plural), names.path("kind").asText(),
            namespaced, texts(names.path("shortNames")), texts(names.path("categories")), false);
        if (v.path("subresources").has("status")) {
          addResource(resources, plural + "/status", "", names.path("kind").asText(), namespaced, List.of(),
              List.of(), true);
        }
      }
    }
    return list;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(s -> texts.add(s.asText()));
    return texts;
  }

  private static void addResource(ArrayNode resources, String name, String singular, String kind, boolean namespaced,
      List<String> shortNames, List<String> categories, boolean subresource) {
    ObjectNode r = resources.addObject().put("name", name).put("singularName", singular)
        .put("namespaced", namespaced).put("kind", kind);
    ArrayNode verbs = r.putArray("verbs");
    (subresource ? List.of("get", "patch", "update")
        : List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"))
        .forEach(verbs::add);
    if (!shortNames.isEmpty()) {
      shortNames.forEach(r.putArray("shortNames")::add);
    }
    if (!categories.isEmpty()) {
      categories.forEach(r.putArray("categories")::add);
    }
  }
}
