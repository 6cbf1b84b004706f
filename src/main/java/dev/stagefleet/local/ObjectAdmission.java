package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What kube-apiserver does to a write before it stores it, for the kinds kept here: the patch applied to the stored
 * object, the status subresource's split (a write to the object keeps the stored status, a write to /status keeps
 * everything else), a Secret's {@code stringData} folded into {@code data}, and a custom resource pruned, defaulted and
 * validated by its CRD's structural schema and CEL rules, in that order. The admitted write reaches the store as a
 * whole object.
 */
final class ObjectAdmission {
  /** The write the store should receive, and the warnings for the client. */
  record Admitted(RecordedRequest request, List<String> warnings) {
  }

  /** A CRD version's schema, compiled once. */
  private record CompiledSchema(StructuralSchema structure, SchemaValidator validator, CelRules rules) {
  }

  private final KubernetesCrudDispatcher crud;
  private final StoredCrds crds;
  private final Map<JsonNode, CompiledSchema> compiled = new ConcurrentHashMap<>();

  ObjectAdmission(KubernetesCrudDispatcher crud, StoredCrds crds) {
    this.crud = crud;
    this.crds = crds;
  }

  /** The write as the store should receive it, or empty when nothing here applies (or the object is missing). */
  Optional<Admitted> admit(RecordedRequest request, ApiPath path, String fieldValidation) {
    boolean create = request.method() == HttpMethod.POST && !path.isObject();
    boolean update = (request.method() == HttpMethod.PUT || request.method() == HttpMethod.PATCH) && path.isObject();
    boolean secret = path.group().isEmpty() && "secrets".equals(path.plural());
    Optional<JsonNode> version = crds.version(path);
    if (!(create || update) || !(secret || version.isPresent())) {
      return Optional.empty();
    }
    ObjectNode old = null;
    if (update) {
      var stored = crud.handleGet(path.withoutSubresource().path());
      if (stored.code() != 200) {
        return Optional.empty();
      }
      old = (ObjectNode) ApiStatus.body(stored);
    }
    ObjectNode object = candidate(request, old);
    if (old != null) {
      requireCurrent(object, old, path);
    }
    List<String> warnings = new ArrayList<>();
    if (secret) {
      foldStringData(object);
    }
    if (version.isPresent()) {
      object = splitStatus(object, old, path, version.get());
      JsonNode schema = version.get().path("schema").path("openAPIV3Schema");
      if (schema.isObject()) {
        warnings.addAll(admitCustom(object, old, path, schema, fieldValidation));
      }
    }
    String target = path.path();
    HttpMethod method = create ? HttpMethod.POST : HttpMethod.PUT;
    Headers headers = request.getHeaders().newBuilder().set("Content-Type", "application/json").build();
    return Optional.of(new Admitted(new RecordedRequest(method.name() + " " + target + " HTTP/1.1", method, target,
        headers, new Buffer(object.toString().getBytes(StandardCharsets.UTF_8))), warnings));
  }

  /** The object the write asks for: the body, or the stored object with the patch applied. */
  private static ObjectNode candidate(RecordedRequest request, ObjectNode old) {
    JsonNode body;
    try {
      body = ApiStatus.JSON.readTree(request.getBody().getBytes());
    } catch (IOException e) {
      throw ApiException.badRequest("the request body is not valid JSON: " + e.getMessage());
    }
    JsonNode result = body;
    if (request.method() == HttpMethod.PATCH) {
      String type = String.valueOf(request.getHeader("Content-Type"));
      if (type.startsWith("application/json-patch+json")) {
        try {
          result = JsonPatch.apply(body, old);
        } catch (JsonPatchException | IllegalArgumentException e) {
          throw new ApiException(422, "Invalid", "the JSON patch cannot be applied: " + e.getMessage());
        }
      } else {
        result = MergePatchingCrudDispatcher.mergePatch(old, body);
      }
    }
    if (!(result instanceof ObjectNode object)) {
      throw ApiException.badRequest("the request body must be a JSON object");
    }
    return object;
  }

  /**
   * An update naming a resourceVersion other than the stored one is a 409 Conflict (the store checks this for the
   * object but not for its /status); a patch without one applies to whatever is stored.
   */
  private static void requireCurrent(ObjectNode object, ObjectNode old, ApiPath path) {
    String wanted = object.path("metadata").path("resourceVersion").asText("");
    if (!wanted.isEmpty() && !wanted.equals(old.path("metadata").path("resourceVersion").asText())) {
      throw new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + path.qualifiedResource() + " \""
          + path.name() + "\": the object has been modified; please apply your changes to the latest version and"
          + " try again");
    }
  }

  /** kube-apiserver stores a Secret's {@code stringData} base64-encoded in {@code data}, overriding keys there. */
  private static void foldStringData(ObjectNode secret) {
    JsonNode stringData = secret.remove("stringData");
    if (stringData != null && stringData.isObject()) {
      ObjectNode data = secret.has("data") && secret.get("data").isObject() ? (ObjectNode) secret.get("data")
          : secret.putObject("data");
      stringData.fields().forEachRemaining(f -> data.put(f.getKey(),
          Base64.getEncoder().encodeToString(f.getValue().asText().getBytes(StandardCharsets.UTF_8))));
    }
  }

  /** With a status subresource, a write to the object keeps the stored status and a write to /status the rest. */
  private static ObjectNode splitStatus(ObjectNode object, ObjectNode old, ApiPath path, JsonNode version) {
    if (!version.path("subresources").has("status")) {
      return object;
    }
    if ("status".equals(path.subresource())) {
      ObjectNode result = old.deepCopy();
      setOrRemove(result, "status", object.get("status"));
      JsonNode resourceVersion = object.path("metadata").get("resourceVersion");
      if (resourceVersion != null) {
        result.with("metadata").set("resourceVersion", resourceVersion);
      }
      return result;
    }
    setOrRemove(object, "status", old == null ? null : old.get("status"));
    return object;
  }

  private static void setOrRemove(ObjectNode object, String field, JsonNode value) {
    if (value == null) {
      object.remove(field);
    } else {
      object.set(field, value.deepCopy());
    }
  }

  /**
   * The errors kube-apiserver reports: a /status write is checked against the status schema only, and an update
   * ratchets (a field left as it was stored is not refused for a rule it already broke).
   */
  private static List<FieldError> relevant(List<FieldError> errors, JsonNode object, JsonNode old, ApiPath path) {
    boolean status = "status".equals(path.subresource());
    return errors.stream().filter(e -> !status || e.field().equals("status") || e.field().startsWith("status.")
        || e.field().startsWith("status[")).filter(e -> old == null || changed(e.field(), object, old)).toList();
  }

  private static boolean changed(String field, JsonNode object, JsonNode old) {
    String pointer = "/" + field.replaceAll("\\[(\\d+)]", ".$1").replace("~", "~0").replace("/", "~1")
        .replace('.', '/');
    return !object.at(pointer).equals(old.at(pointer));
  }

  /** Compiles the schemas of every stored CRD now, so the first write does not wait for CEL to load. */
  void compileStored() {
    for (JsonNode crd : crds.all()) {
      crd.path("spec").path("versions").forEach(v -> {
        JsonNode schema = v.path("schema").path("openAPIV3Schema");
        if (schema.isObject()) {
          compiled(schema);
        }
      });
    }
  }

  private CompiledSchema compiled(JsonNode schema) {
    return compiled.computeIfAbsent(schema, s -> new CompiledSchema(new StructuralSchema(s), new SchemaValidator(s),
        new CelRules(s)));
  }

  /** Prunes, defaults and validates a custom resource; returns the warnings for pruned fields. */
  private List<String> admitCustom(ObjectNode object, ObjectNode old, ApiPath path, JsonNode schema,
      String fieldValidation) {
    CompiledSchema compiledSchema = compiled(schema);
    String kind = object.path("kind").asText(crds.find(path.group(), path.plural())
        .map(crd -> crd.path("spec").path("names").path("kind").asText()).orElse(path.plural()));
    List<String> pruned = compiledSchema.structure().prune(object);
    List<String> unknown = pruned.stream().map(p -> "unknown field " + FieldError.quote(p)).toList();
    if ("Strict".equals(fieldValidation) && !unknown.isEmpty()) {
      throw ApiException.badRequest(kind + " in version " + FieldError.quote(path.version())
          + " cannot be handled as a " + kind + ": strict decoding error: " + String.join(", ", unknown));
    }
    compiledSchema.structure().applyDefaults(object);
    if (old != null) {
      // kube-apiserver defaults objects read from storage too, so ratcheting compares defaulted with defaulted
      old = old.deepCopy();
      compiledSchema.structure().applyDefaults(old);
    }
    String name = object.path("metadata").path("name").asText(path.name() == null ? "" : path.name());
    List<FieldError> errors = relevant(compiledSchema.validator().validate(object), object, old, path);
    if (errors.isEmpty()) {
      errors = relevant(compiledSchema.rules().validate(object, old), object, old, path);
    }
    if (!errors.isEmpty()) {
      throw FieldError.invalid(path.group(), kind, name, errors);
    }
    return "Ignore".equals(fieldValidation) ? List.of() : unknown;
  }
}
