package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes fabric8's CRUD mock server answer what {@code kubectl} asks before it does anything: version, discovery
 * (built-in groups plus every stored CRD) and server-side Tables with the CRD's printer columns. Everything else goes to
 * the CRUD store, with the query string dropped from writes (the mock ignores the status subresource otherwise).
 */
final class DiscoveryDispatcher extends Dispatcher {
  private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A built-in resource served by the CRUD store, as discovery lists it. */
  private record BuiltIn(String group, String version, String plural, String kind, boolean namespaced,
      String shortName) {
  }

  private static final List<BuiltIn> BUILT_INS = List.of(
      new BuiltIn("", "v1", "namespaces", "Namespace", false, "ns"),
      new BuiltIn("", "v1", "secrets", "Secret", true, null),
      new BuiltIn("", "v1", "configmaps", "ConfigMap", true, "cm"),
      new BuiltIn("", "v1", "events", "Event", true, "ev"),
      new BuiltIn("", "v1", "services", "Service", true, "svc"),
      new BuiltIn("", "v1", "serviceaccounts", "ServiceAccount", true, "sa"),
      new BuiltIn("", "v1", "pods", "Pod", true, "po"),
      new BuiltIn("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, "crd"),
      new BuiltIn("coordination.k8s.io", "v1", "leases", "Lease", true, null),
      new BuiltIn("events.k8s.io", "v1", "events", "Event", true, "ev"));

  private final KubernetesCrudDispatcher crud;
  private final Clock clock;

  DiscoveryDispatcher(KubernetesCrudDispatcher crud, Clock clock) {
    this.crud = crud;
    this.clock = clock;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String fullPath = request.getPath();
    int q = fullPath.indexOf('?');
    String path = q < 0 ? fullPath : fullPath.substring(0, q);
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    MockResponse response = route(request, fullPath, path, q);
    // the CRUD store answers a missing object with an empty 404; kubectl then cannot say which object is missing
    boolean empty = response.getBody() == null || response.getBody().size() == 0;
    return response.code() == 404 && empty ? notFound(path) : response;
  }

  private MockResponse route(RecordedRequest request, String fullPath, String path, int q) {
    boolean get = request.method() == HttpMethod.GET;
    if (get) {
      MockResponse discovery = discovery(path);
      if (discovery != null) {
        return discovery;
      }
      if (path.startsWith("/openapi")) {
        return json(404, status(404, "NotFound", "this API server publishes no OpenAPI; use --validate=false"));
      }
      if (fullPath.contains("watch=")) {
        return crud.dispatch(request);
      }
      String fieldSelector = queryParameter(fullPath, "fieldSelector");
      MockResponse response = crud.dispatch(fieldSelector == null ? request
          : withPath(request, withoutQueryParameter(fullPath, "fieldSelector")));
      if (response.code() == 200 && fieldSelector != null) {
        response = FieldSelector.filter(response, fieldSelector);
      }
      if (response.code() == 200) {
        response = typedList(response, path);
      }
      String accept = String.valueOf(request.getHeader("Accept"));
      return accept.contains("as=Table") && response.code() == 200
          ? TableRenderer.toTable(response, path, printerColumns(path), clock) : response;
    }
    if (request.method() == HttpMethod.PATCH
        && String.valueOf(request.getHeader("Content-Type")).startsWith("application/strategic-merge-patch+json")) {
      // kubectl apply patches built-in kinds with a strategic merge patch, which the CRUD store refuses (415); for
      // the kinds kept here (Secrets, ConfigMaps, Namespaces) a JSON merge patch without the directives does the same
      Headers headers = request.getHeaders().newBuilder().set("Content-Type", "application/merge-patch+json").build();
      return crud.dispatch(new RecordedRequest(request.method().name() + " " + path + " HTTP/1.1", request.method(),
          path, headers, withoutDirectives(request.getBody())));
    }
    return crud.dispatch(q >= 0 ? withPath(request, path) : request);
  }

  /** The patch without strategic-merge directives ({@code $patch}, {@code $setElementOrder/...}, ...). */
  private static Buffer withoutDirectives(Buffer body) {
    try {
      JsonNode patch = JSON.readTree(body.getBytes());
      removeDirectives(patch);
      return new Buffer(JSON.writeValueAsBytes(patch));
    } catch (java.io.IOException e) {
      return body;
    }
  }

  private static void removeDirectives(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.properties().removeIf(field -> field.getKey().startsWith("$"));
    }
    node.forEach(DiscoveryDispatcher::removeDirectives);
  }

  /**
   * The CRUD store answers every list as kind {@code List}; typed clients (kubectl describe reading Events) want
   * {@code EventList} and the like, and silently show nothing otherwise.
   */
  private MockResponse typedList(MockResponse response, String path) {
    String[] parts = path.split("/");
    String plural = parts[parts.length - 1];
    String kind = null;
    String apiVersion = null;
    for (BuiltIn b : BUILT_INS) {
      String gv = b.group().isEmpty() ? b.version() : b.group() + "/" + b.version();
      if (b.plural().equals(plural) && path.startsWith(b.group().isEmpty() ? "/api/" : "/apis/" + gv + "/")) {
        kind = b.kind();
        apiVersion = gv;
      }
    }
    if (kind == null && parts.length >= 5 && parts[1].equals("apis")) {
      for (JsonNode crd : storedCrds()) {
        JsonNode names = crd.path("spec").path("names");
        if (names.path("plural").asText().equals(plural)
            && crd.path("spec").path("group").asText().equals(parts[2])) {
          kind = names.path("kind").asText();
          apiVersion = parts[2] + "/" + parts[3];
        }
      }
    }
    if (kind == null) {
      return response;
    }
    try {
      JsonNode body = JSON.readTree(new String(response.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8));
      if (!(body instanceof ObjectNode list) || !"List".equals(list.path("kind").asText())) {
        return response;
      }
      list.put("kind", kind + "List").put("apiVersion", apiVersion);
      return json(200, list);
    } catch (Exception e) {
      return response;
    }
  }

  private static RecordedRequest withPath(RecordedRequest request, String path) {
    return new RecordedRequest(request.method().name() + " " + path + " HTTP/1.1", request.method(), path,
        request.getHeaders(), request.getBody());
  }

  private static String queryParameter(String fullPath, String name) {
    int q = fullPath.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String pair : fullPath.substring(q + 1).split("&")) {
      if (pair.startsWith(name + "=")) {
        return java.net.URLDecoder.decode(pair.substring(name.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static String withoutQueryParameter(String fullPath, String name) {
    int q = fullPath.indexOf('?');
    String kept = java.util.Arrays.stream(fullPath.substring(q + 1).split("&"))
        .filter(pair -> !pair.startsWith(name + "=")).collect(java.util.stream.Collectors.joining("&"));
    return fullPath.substring(0, q) + (kept.isEmpty() ? "" : "?" + kept);
  }

  private MockResponse discovery(String path) {
    switch (path) {
      case "/version":
        return json(200, JSON.createObjectNode().put("major", "1").put("minor", "32")
            .put("gitVersion", "v1.32.0-stagefleet-local").put("platform", "linux/amd64")
            .put("goVersion", "go1.23").put("compiler", "gc").put("buildDate", "2026-01-01T00:00:00Z")
            .put("gitCommit", "stagefleet").put("gitTreeState", "clean"));
      case "/api": {
        ObjectNode versions = JSON.createObjectNode().put("kind", "APIVersions");
        versions.putArray("versions").add("v1");
        versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
            .put("serverAddress", "127.0.0.1");
        return json(200, versions);
      }
      case "/apis":
        return json(200, groupList());
      default:
        break;
    }
    String[] parts = path.split("/");
    if (path.equals("/api/v1")) {
      return json(200, resourceList("v1", "", "v1"));
    }
    if (parts.length == 4 && parts[1].equals("apis")) {
      ObjectNode list = resourceList(parts[2] + "/" + parts[3], parts[2], parts[3]);
      return list.withArray("resources").isEmpty() && !knownGroupVersions().containsKey(parts[2] + "/" + parts[3])
          ? json(404, status(404, "NotFound", "the server could not find the requested resource"))
          : json(200, list);
    }
    return null;
  }

  private ObjectNode groupList() {
    ObjectNode list = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    Map<String, List<String>> byGroup = new LinkedHashMap<>();
    knownGroupVersions().keySet().forEach(gv -> {
      String[] p = gv.split("/");
      byGroup.computeIfAbsent(p[0], g -> new ArrayList<>()).add(p[1]);
    });
    byGroup.forEach((group, versions) -> {
      ObjectNode g = groups.addObject().put("name", group);
      ArrayNode vs = g.putArray("versions");
      versions.forEach(v -> vs.addObject().put("groupVersion", group + "/" + v).put("version", v));
      g.putObject("preferredVersion").put("groupVersion", group + "/" + versions.get(0)).put("version",
          versions.get(0));
    });
    return list;
  }

  /** Every "group/version" served (built-in groups and stored CRDs), mapped to nothing in particular. */
  private Map<String, Boolean> knownGroupVersions() {
    Map<String, Boolean> gvs = new LinkedHashMap<>();
    BUILT_INS.stream().filter(b -> !b.group().isEmpty()).forEach(b -> gvs.put(b.group() + "/" + b.version(), true));
    for (JsonNode crd : storedCrds()) {
      String group = crd.path("spec").path("group").asText();
      crd.path("spec").path("versions").forEach(v -> gvs.put(group + "/" + v.path("name").asText(), true));
    }
    return gvs;
  }

  private ObjectNode resourceList(String groupVersion, String group, String version) {
    ObjectNode list = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", groupVersion);
    ArrayNode resources = list.putArray("resources");
    for (BuiltIn b : BUILT_INS) {
      if (b.group().equals(group) && b.version().equals(version)) {
        addResource(resources, b.plural(), b.plural().replaceAll("s$", ""), b.kind(), b.namespaced(),
            b.shortName() == null ? List.of() : List.of(b.shortName()), List.of(), false);
      }
    }
    for (JsonNode crd : storedCrds()) {
      JsonNode spec = crd.path("spec");
      if (!spec.path("group").asText().equals(group)) {
        continue;
      }
      for (JsonNode v : spec.path("versions")) {
        if (!v.path("name").asText().equals(version)) {
          continue;
        }
        JsonNode names = spec.path("names");
        List<String> shortNames = new ArrayList<>();
        names.path("shortNames").forEach(s -> shortNames.add(s.asText()));
        List<String> categories = new ArrayList<>();
        names.path("categories").forEach(s -> categories.add(s.asText()));
        String plural = names.path("plural").asText();
        boolean namespaced = "Namespaced".equals(spec.path("scope").asText());
        addResource(resources, plural, names.path("singular").asText(plural), names.path("kind").asText(),
            namespaced, shortNames, categories, false);
        if (v.path("subresources").has("status")) {
          addResource(resources, plural + "/status", "", names.path("kind").asText(), namespaced, List.of(),
              List.of(), true);
        }
      }
    }
    return list;
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

  /** Columns kubectl shows for Events, as the API server's built-in table printer has them. */
  private static final List<JsonNode> EVENT_COLUMNS = List.of(
      column("Last Seen", "date", ".lastTimestamp"), column("Type", "string", ".type"),
      column("Reason", "string", ".reason"), column("Object", "string", ".involvedObject.name"),
      column("Message", "string", ".message"));

  private static JsonNode column(String name, String type, String jsonPath) {
    return JSON.createObjectNode().put("name", name).put("type", type).put("jsonPath", jsonPath);
  }

  /** The printer columns of the CRD serving this path (or of Events); empty for other built-in resources. */
  private List<JsonNode> printerColumns(String path) {
    String[] parts = path.split("/");
    if (parts.length >= 4 && parts[1].equals("api") && parts[parts.length - 1].equals("events")) {
      return EVENT_COLUMNS;
    }
    if (parts.length < 5 || !parts[1].equals("apis")) {
      return List.of();
    }
    String group = parts[2];
    String version = parts[3];
    String plural = parts[4].equals("namespaces") && parts.length >= 7 ? parts[6] : parts[4];
    for (JsonNode crd : storedCrds()) {
      JsonNode spec = crd.path("spec");
      if (spec.path("group").asText().equals(group) && spec.path("names").path("plural").asText().equals(plural)) {
        for (JsonNode v : spec.path("versions")) {
          if (v.path("name").asText().equals(version)) {
            List<JsonNode> columns = new ArrayList<>();
            v.path("additionalPrinterColumns").forEach(columns::add);
            return columns;
          }
        }
      }
    }
    return List.of();
  }

  private List<JsonNode> storedCrds() {
    MockResponse response = crud.handleGet(CRDS);
    List<JsonNode> crds = new ArrayList<>();
    try {
      JSON.readTree(new String(response.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8)).path("items").forEach(crds::add);
    } catch (Exception e) {
      throw new IllegalStateException("the CRUD store returned an unreadable CRD list", e);
    }
    return crds;
  }

  /**
   * A NotFound Status as the Kubernetes API writes it, e.g. {@code livebroadcasts.live.stagefleet.dev "x" not found},
   * for paths /api/v1/[namespaces/NS/]PLURAL/NAME[/SUB] and /apis/GROUP/VERSION/[namespaces/NS/]PLURAL/NAME[/SUB].
   */
  static MockResponse notFound(String path) {
    String[] parts = path.split("/");
    int version = parts.length > 1 && parts[1].equals("api") ? 2 : 3;
    String group = version == 3 && parts.length > 2 ? parts[2] : "";
    List<String> rest = parts.length > version + 1 ? List.of(parts).subList(version + 1, parts.length) : List.of();
    if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
      rest = rest.subList(2, rest.size());
    }
    if (rest.size() < 2) {
      return json(404, status(404, "NotFound", "the server could not find the requested resource"));
    }
    String plural = rest.get(0);
    String name = rest.get(1);
    ObjectNode status = status(404, "NotFound", (group.isEmpty() ? plural : plural + "." + group) + " \"" + name
        + "\" not found");
    status.putObject("details").put("name", name).put("group", group).put("kind", plural);
    return json(404, status);
  }

  static ObjectNode status(int code, String reason, String message) {
    return JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
        .put("message", message).put("reason", reason).put("code", code);
  }

  static MockResponse json(int code, JsonNode body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }
}
