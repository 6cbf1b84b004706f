package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Routes kubectl's requests in front of fabric8's CRUD store: discovery to {@link ApiDiscovery}, strategic merge
 * patches through {@link KubectlPatches}, protobuf bodies through {@link ProtobufBodies}, writes through {@link ObjectAdmission}, field selectors to
 * {@link FieldSelector}, Tables to {@link TableRenderer}, everything else to the store (with the query string dropped
 * from writes: the store ignores the status subresource otherwise). Refusals are {@link ApiStatus} bodies.
 */
final class KubectlDispatcher extends Dispatcher {
  private final KubernetesCrudDispatcher crud;
  private final StoredCrds crds;
  private final ApiDiscovery discovery;
  private final OpenApiDocuments openApi;
  private final ObjectAdmission admission;
  private final Clock clock;

  KubectlDispatcher(KubernetesCrudDispatcher crud, Clock clock) {
    this.crud = crud;
    this.crds = new StoredCrds(crud);
    this.discovery = new ApiDiscovery(crds);
    this.openApi = new OpenApiDocuments(crds);
    this.admission = new ObjectAdmission(crud, crds);
    this.clock = clock;
  }

  /** Compiles the stored CRDs' schemas and rules ahead of the first write (loading CEL takes seconds). */
  void prepare() {
    admission.compileStored();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String fullPath = request.getPath();
    int q = fullPath.indexOf('?');
    String path = q < 0 ? fullPath : fullPath.substring(0, q);
    String query = q < 0 ? "" : fullPath.substring(q + 1);
    Optional<ApiPath> apiPath = ApiPath.parse(path);
    MockResponse response;
    try {
      response = route(request, path, query, apiPath);
    } catch (ApiException e) {
      return e.response();
    }
    if (request.method() != HttpMethod.GET && apiPath.filter(StoredCrds::isCrdPath).isPresent()) {
      crds.invalidate();
    }
    if (request.method() == HttpMethod.DELETE && response.code() == 200
        && apiPath.filter(KubectlDispatcher::isNamespace).isPresent()) {
      deleteContents(apiPath.get().name());
    }
    // the CRUD store answers a missing object with an empty 404; kubectl then cannot say which object is missing
    if (response.code() == 404 && ApiStatus.isEmpty(response)) {
      return ApiStatus.notFound(apiPath.orElse(null));
    }
    // the store names no content type; a client that sent protobuf would then read the JSON answer as protobuf
    if (response.header("Content-Type") == null && !ApiStatus.isEmpty(response)) {
      response.setHeader("Content-Type", "application/json");
    }
    return response;
  }

  private MockResponse route(RecordedRequest request, String path, String query, Optional<ApiPath> apiPath) {
    if (request.method() == HttpMethod.GET) {
      Optional<MockResponse> answer = discovery.answer(path, apiPath);
      if (answer.isPresent()) {
        return answer.get();
      }
      Optional<MockResponse> document = openApi.answer(path);
      if (document.isPresent()) {
        return document.get();
      }
      if (path.startsWith("/openapi")) {
        return ApiStatus.noSuchResource();
      }
      if (apiPath.isEmpty() || parameter(query, "watch") != null) {
        return crud.dispatch(request);
      }
      return read(request, path, query, apiPath.get());
    }
    if (request.method() == HttpMethod.PATCH && KubectlPatches.isServerSideApply(request)) {
      throw KubectlPatches.serverSideApplyRefused();
    }
    RecordedRequest body = ProtobufBodies.isProtobuf(request) ? ProtobufBodies.asJson(request) : request;
    RecordedRequest write = body.method() == HttpMethod.PATCH && KubectlPatches.isStrategic(body)
        ? KubectlPatches.asMergePatch(body, path) : body;
    return write(query.isEmpty() ? write : withPath(write, path), query, apiPath);
  }

  /** A write, admitted as kube-apiserver would before the store sees it; one at a time, as admission reads first. */
  private synchronized MockResponse write(RecordedRequest request, String query, Optional<ApiPath> apiPath) {
    Optional<JsonNode> deleting = apiPath.filter(p -> isUpdate(request, p)).flatMap(this::deleting);
    Optional<ObjectAdmission.Admitted> admitted = apiPath.flatMap(p -> admission.admit(request, p,
        parameter(query, "fieldValidation")));
    MockResponse response = crud.dispatch(admitted.isEmpty() ? request : admitted.get().request());
    admitted.ifPresent(a -> a.warnings().forEach(w -> response.addHeader("Warning", "299 - " + FieldError.quote(w))));
    if (deleting.isPresent() && response.code() / 100 == 2 && ApiStatus.isEmpty(response)) {
      // the store deleted the object once its last finalizer went and answers without a body (202 to a patch, 200 to
      // a put); kube-apiserver answers with the object as written, and kubectl patch fails on an empty body
      ObjectNode released = (ObjectNode) deleting.get();
      ((ObjectNode) released.path("metadata")).remove("finalizers");
      return ApiStatus.json(200, released);
    }
    return response;
  }

  private static boolean isUpdate(RecordedRequest request, ApiPath path) {
    return (request.method() == HttpMethod.PATCH || request.method() == HttpMethod.PUT) && path.isObject()
        && path.subresource() == null;
  }

  /** The object at this path if it is being deleted (a finalizer holds it), else empty. */
  private Optional<JsonNode> deleting(ApiPath path) {
    String object = path.path();
    MockResponse current = crud.dispatch(internal(HttpMethod.GET, object));
    if (current.code() != 200 || ApiStatus.isEmpty(current)) {
      return Optional.empty();
    }
    JsonNode body = ApiStatus.body(current);
    return body.path("metadata").hasNonNull("deletionTimestamp") ? Optional.of(body) : Optional.empty();
  }

  /** A get or list, filtered by a field selector, typed, and as a Table when kubectl asks for one. */
  private MockResponse read(RecordedRequest request, String path, String query, ApiPath apiPath) {
    String fieldSelector = parameter(query, "fieldSelector");
    MockResponse response = crud.dispatch(fieldSelector == null ? request
        : withPath(request, path + queryWithout(query, "fieldSelector")));
    if (response.code() != 200) {
      return response;
    }
    if (fieldSelector != null) {
      response = FieldSelector.filter(response, fieldSelector);
    }
    response = discovery.typedList(response, apiPath);
    return String.valueOf(request.getHeader("Accept")).contains("as=Table")
        ? TableRenderer.toTable(response, discovery.printer(apiPath), clock) : response;
  }

  /** The events of a watch of this query; a path no resource serves is a NotFound. */
  WatchEvents watchEvents(WatchQuery query) {
    ApiPath collection = query.collection();
    ApiDiscovery.ResourceKind kind = discovery.kindOf(collection)
        .orElseThrow(() -> new ApiException(404, "NotFound", "the server could not find the requested resource"));
    TableRenderer.Printer printer = discovery.printer(collection);
    UnaryOperator<JsonNode> render = query.table()
        ? object -> ApiStatus.body(TableRenderer.toTable(ApiStatus.json(200, object), printer, clock))
        : UnaryOperator.identity();
    return new WatchEvents(query, crud.getKey(collection.path() + query.listQuery()), kind, render);
  }

  /** The watched collection as it is now; its resourceVersion is where the watch's changes continue. */
  JsonNode list(WatchQuery query) {
    String path = query.collection().path() + query.listQuery();
    return ApiStatus.body(crud.dispatch(internal(HttpMethod.GET, path)));
  }

  private static boolean isNamespace(ApiPath path) {
    return path.group().isEmpty() && "namespaces".equals(path.plural()) && path.isObject()
        && path.subresource() == null;
  }

  /**
   * What kube-apiserver's namespace controller does once a namespace is deleted: everything in it is deleted too
   * (objects with finalizers stay until their controllers let them go), so a namespace made again starts empty.
   */
  private void deleteContents(String namespace) {
    for (ApiPath collection : discovery.namespacedCollections(namespace)) {
      String path = collection.path();
      crud.dispatch(internal(HttpMethod.DELETE, path));
    }
  }

  /** A request of the server's own to the store, without a body. */
  private static RecordedRequest internal(HttpMethod method, String path) {
    return new RecordedRequest(method.name() + " " + path + " HTTP/1.1", method, path, Headers.builder().build(),
        new Buffer());
  }

  private static RecordedRequest withPath(RecordedRequest request, String path) {
    return new RecordedRequest(request.method().name() + " " + path + " HTTP/1.1", request.method(), path,
        request.getHeaders(), request.getBody());
  }

  /** The decoded value of a query parameter, or null. */
  static String parameter(String query, String name) {
    return Arrays.stream(query.split("&")).filter(pair -> pair.startsWith(name + "=")).findFirst()
        .map(pair -> URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8)).orElse(null);
  }

  /** {@code ?rest} of the query without the named parameter, or the empty string. */
  private static String queryWithout(String query, String name) {
    String kept = Arrays.stream(query.split("&")).filter(pair -> !pair.isEmpty() && !pair.startsWith(name + "="))
        .collect(Collectors.joining("&"));
    return kept.isEmpty() ? "" : "?" + kept;
  }
}
