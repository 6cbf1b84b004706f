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
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
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
      String accept = String.valueOf(request.getHeader("Accept"));
      if (path.endsWith("/events") && fullPath.contains("fieldSelector=involvedObject")
          && !fullPath.contains("watch=")) {
        MockResponse events = eventsAbout(request, fullPath, path);
        return events.code() == 200 && accept.contains("as=Table")
            ? TableRenderer.toTable(events, path, printerColumns(path), clock) : events;
      }
      if (accept.contains("as=Table") && !fullPath.contains("watch=")) {
        MockResponse response = crud.dispatch(request);
        return response.code() == 200 ? TableRenderer.toTable(response, path, printerColumns(path), clock) : response;
      }
      return crud.dispatch(request);
    }
    boolean strategic = request.method() == HttpMethod.PATCH
        && String.valueOf(request.getHeader("Content-Type")).startsWith("application/strategic-merge-patch+json");
    if (q >= 0 || strategic) {
      Headers headers = request.getHeaders();
      Buffer body = request.getBody();
      if (strategic) {
        // kubectl apply patches built-in kinds with a strategic merge patch, which the CRUD store refuses (415); for
        // the kinds kept here (Secrets, ConfigMaps, Namespaces) a JSON merge patch without the directives does the same
        headers = headers.newBuilder().set("Content-Type", "application/merge-patch+json").build();
        body = withoutDirectives(body);
      }
      request = new RecordedRequest(request.method().name() + " " + path + " HTTP/1.1", request.method(), path,
          headers, body);
    }
    return crud.dispatch(request);
  }

  /**
   * Events selected by {@code involvedObject.*} fields, as {@code kubectl describe} asks for them: the CRUD store
   * matches no nested field, so those terms are applied here and the rest of the query is passed on.
   */
  private MockResponse eventsAbout(RecordedRequest request, String fullPath, String path) {
    Map<String, String> about = new LinkedHashMap<>();
    List<String> query = new ArrayList<>();
    for (String param : fullPath.substring(fullPath.indexOf('?') + 1).split("&")) {
      String decoded = URLDecoder.decode(param, StandardCharsets.UTF_8);
      if (!decoded.startsWith("fieldSelector=")) {
        query.add(param);
        continue;
      }
      List<String> kept = new ArrayList<>();
      for (String term : decoded.substring("fieldSelector=".length()).split(",")) {
        String[] field = term.split("==?", 2);
        if (field.length == 2 && field[0].startsWith("involvedObject.") && !field[0].endsWith("!")) {
          about.put(field[0].substring("involvedObject.".length()), field[1]);
        } else {
          kept.add(term);
        }
      }
      if (!kept.isEmpty()) {
        query.add("fieldSelector=" + URLEncoder.encode(String.join(",", kept), StandardCharsets.UTF_8));
      }
    }
    String listPath = path + (query.isEmpty() ? "" : "?" + String.join("&", query));
    MockResponse list = crud.dispatch(new RecordedRequest("GET " + listPath + " HTTP/1.1", HttpMethod.GET, listPath,
        request.getHeaders(), request.getBody()));
    if (list.code() != 200) {
      return list;
    }
    try {
      ObjectNode body = (ObjectNode) JSON.readTree(list.getBody().getBytes());
      for (Iterator<JsonNode> items = body.withArray("items").elements(); items.hasNext(); ) {
        JsonNode involved = items.next().path("involvedObject");
        if (!about.entrySet().stream().allMatch(f -> involved.path(f.getKey()).asText().equals(f.getValue()))) {
          items.remove();
        }
      }
      // typed clients (kubectl describe) decode only an EventList, not the store's generic List
      return json(200, body.put("kind", "EventList"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the CRUD store returned an unreadable event list", e);
    }
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

  /** What {@code kubectl get events} shows, so the operator's scaling events read as on a real cluster. */
  private static final List<JsonNode> EVENT_COLUMNS = List.of(
      column("Last Seen", "date", ".lastTimestamp"), column("Type", "string", ".type"),
      column("Reason", "string", ".reason"), column("Object", "string", ".involvedObject.name"),
      column("Message", "string", ".message"));

  private static JsonNode column(String name, String type, String jsonPath) {
    return JSON.createObjectNode().put("name", name).put("type", type).put("jsonPath", jsonPath);
  }

  /** The printer columns of the CRD serving this path; for built-in resources, Events' columns or none. */
  private List<JsonNode> printerColumns(String path) {
    String[] parts = path.split("/");
    if (parts.length >= 4 && parts[1].equals("api")
        && (parts[3].equals("events") || parts.length >= 6 && parts[5].equals("events"))) {
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
