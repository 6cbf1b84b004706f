package dev.stagefleet.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Checks what clients send (names, ARNs, JSON bodies) and turns every mistake into a 400 with a clear message. */
final class RequestInput {
  private static final int MAX_CHECKED = 10_000;
  /** The last spec object checked per broadcast and its problems. */
  private static final Map<BroadcastKey, CheckedSpec> CHECKED = new ConcurrentHashMap<>();

  private record CheckedSpec(LiveBroadcastSpec spec, List<String> problems) {
  }

  static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  static final Pattern STAGE_ARN = Pattern.compile("arn:aws:ivs:[a-z0-9-]+:[0-9]+:stage/[a-zA-Z0-9-]+");
  static final Pattern USER_ID = Pattern.compile("[\\p{Alnum} ._@:+-]{1,128}");

  static final ObjectMapper STRICT_JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
      // a number or boolean where text belongs is a mistake, not something to quietly turn into text
      .withCoercionConfig(LogicalType.Textual, config -> config
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .build();

  private RequestInput() {
  }

  /** The broadcast a path names, after checking both names are valid Kubernetes names. */
  static BroadcastKey broadcast(String namespace, String name) {
    if (namespace == null || namespace.length() > 63 || !NAMESPACE.matcher(namespace).matches()) {
      throw ApiError.badRequest("\"" + abbreviate(namespace) + "\" is not a valid namespace name "
          + "(lower-case letters, digits and '-', at most 63 characters)");
    }
    if (name == null || name.length() > 253 || !NAME.matcher(name).matches()) {
      throw ApiError.badRequest("\"" + abbreviate(name) + "\" is not a valid LiveBroadcast name "
          + "(lower-case letters, digits, '-' and '.', at most 253 characters)");
    }
    return new BroadcastKey(namespace, name);
  }

  /**
   * The broadcast the request names: 404 when it does not exist, 409 when its spec is invalid (an API server with the
   * CRD's validation would have refused it, but the gateway must not fail on one that slipped through).
   */
  static LiveBroadcast existingBroadcast(BroadcastDirectory directory, BroadcastKey key) {
    LiveBroadcast broadcast = directory.find(key)
        .orElseThrow(() -> ApiError.notFound("LiveBroadcast " + key + " not found"));
    List<String> problems = problems(key, broadcast);
    if (!problems.isEmpty()) {
      throw new ApiError(409, "invalid_spec", "LiveBroadcast " + key + " has an invalid spec: " + problems.get(0));
    }
    return broadcast;
  }

  /**
   * The spec's problems, checked once per version of it: every join reads the broadcast, and the informer replaces
   * the object (never edits it) when the resource changes, so the spec object stands for its version.
   */
  private static List<String> problems(BroadcastKey key, LiveBroadcast broadcast) {
    LiveBroadcastSpec spec = broadcast.getSpec();
    if (spec == null) {
      return List.of("spec is missing");
    }
    CheckedSpec checked = CHECKED.get(key);
    if (checked != null && checked.spec() == spec) {
      return checked.problems();
    }
    List<String> problems = List.copyOf(spec.validate());
    if (CHECKED.size() >= MAX_CHECKED) {
      CHECKED.clear(); // broadcasts come and go; the ones still joined are checked again once
    }
    CHECKED.put(key, new CheckedSpec(spec, problems));
    return problems;
  }

  /** A stage ARN as IVS writes them. */
  static String stageArn(String arn) {
    if (arn == null || arn.isEmpty()) {
      throw ApiError.badRequest("stageArn is required");
    }
    if (arn.length() > 128 || !STAGE_ARN.matcher(arn).matches()) {
      throw ApiError.badRequest("\"" + abbreviate(arn) + "\" is not a stage ARN "
          + "(arn:aws:ivs:<region>:<account>:stage/<id>)");
    }
    return arn;
  }

  /** An optional user id for a viewer's token. */
  static String userId(String userId) {
    if (userId == null) {
      return null;
    }
    if (!USER_ID.matcher(userId).matches()) {
      throw ApiError.badRequest("userId must be 1 to 128 letters, digits, spaces or . _ @ : + -");
    }
    return userId;
  }

  /** Parses a JSON body into a record; an empty body gives {@code whenEmpty}. Unknown fields are refused. */
  static <T> T json(byte[] body, Class<T> type, T whenEmpty) {
    if (body == null || body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      if (whenEmpty == null) {
        throw ApiError.badRequest("a JSON body is required");
      }
      return whenEmpty;
    }
    try {
      T value = STRICT_JSON.readValue(body, type);
      if (value == null) {
        throw ApiError.badRequest("the body must be a JSON object");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw ApiError.badRequest("unknown field \"" + e.getPropertyName() + "\"; known fields: "
          + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
    } catch (InvalidFormatException e) {
      throw ApiError.badRequest("field " + fieldPath(e) + " has the wrong type");
    } catch (MismatchedInputException e) {
      String path = fieldPath(e);
      throw ApiError.badRequest(path.isEmpty() ? "the body must be a JSON object"
          : "field " + path + " has the wrong type");
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest("the body is not valid JSON");
    } catch (java.io.IOException e) {
      throw ApiError.badRequest("the body could not be read");
    }
  }

  private static String fieldPath(MismatchedInputException e) {
    return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  /** True when reading a body failed because its framing is broken or it ended early (the client's doing). */
  static boolean isBrokenFraming(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof org.eclipse.jetty.http.HttpException http && http.getCode() >= 400 && http.getCode() < 500
          || e instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  /** What Jetty said about a broken body, in a few words. */
  static String framingProblem(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof org.eclipse.jetty.http.HttpException http && http.getReason() != null) {
        return abbreviate(http.getReason());
      }
      if (e instanceof java.io.EOFException || e instanceof org.eclipse.jetty.io.EofException) {
        return "the body ended before its declared length";
      }
    }
    return "the body could not be read";
  }

  /** The caller's address: the socket's peer, or the first X-Forwarded-For entry when the proxy is trusted. */
  static String clientAddress(io.javalin.http.Context ctx, boolean trustForwardedFor) {
    if (trustForwardedFor) {
      String forwarded = ctx.header("X-Forwarded-For");
      if (forwarded != null && !forwarded.isBlank()) {
        return forwarded.split(",", 2)[0].strip();
      }
    }
    return ctx.ip();
  }

  static String abbreviate(String value) {
    if (value == null) {
      return "";
    }
    String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
  }
}
