package dev.stagefleet.local;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A watch request's parameters as kube-apiserver reads them: the resource (a watch of one object's path is a watch of
 * its collection selected by {@code metadata.name}), where to start (the current objects first, as ADDED events, when
 * no version or version 0 is given, or {@code sendInitialEvents=true}), selectors, bookmarks, the timeout and whether
 * events carry Tables.
 */
record WatchQuery(ApiPath collection, String fieldSelector, String labelSelector, OptionalLong afterVersion,
    boolean sendInitialEvents, boolean initialEventsRequested, boolean bookmarks, OptionalLong timeoutSeconds, boolean table) {

  /** Whether the request is a watch ({@code watch=true}, {@code watch=1}, or a path under {@code /watch/}). */
  static boolean isWatch(String path, String query) {
    String watch = KubectlDispatcher.parameter(query, "watch");
    return isTrue(watch) || unwatched(path).isPresent();
  }

  /**
   * Parses a watch request; {@code accept} is its Accept header. A bad parameter is a 400 BadRequest; an unknown path a
   * 404.
   */
  static WatchQuery parse(String path, String query, String accept) {
    ApiPath apiPath = unwatched(path).or(() -> ApiPath.parse(path)).filter(p -> !p.isGroupVersion())
        .orElseThrow(() -> new ApiException(404, "NotFound", "the server could not find the requested resource"));
    if (apiPath.subresource() != null) {
      throw new ApiException(405, "MethodNotAllowed", "the server does not allow watching " + apiPath.subresource());
    }
    String fieldSelector = Optional.ofNullable(KubectlDispatcher.parameter(query, "fieldSelector")).orElse("");
    if (apiPath.isObject()) {
      fieldSelector = join("metadata.name=" + apiPath.name(), fieldSelector);
    }
    String rv = Optional.ofNullable(KubectlDispatcher.parameter(query, "resourceVersion")).orElse("");
    OptionalLong after = OptionalLong.empty();
    if (!rv.isEmpty() && !rv.equals("0")) {
      after = OptionalLong.of(number(rv, "resourceVersion"));
    }
    String sendInitial = KubectlDispatcher.parameter(query, "sendInitialEvents");
    // without a version (or with 0) the API server sends the current objects first, as ADDED events
    boolean initial = sendInitial == null ? after.isEmpty() : isTrue(sendInitial);
    String timeout = KubectlDispatcher.parameter(query, "timeoutSeconds");
    OptionalLong timeoutSeconds = timeout == null || timeout.isEmpty() ? OptionalLong.empty()
        : OptionalLong.of(number(timeout, "timeoutSeconds"));
    return new WatchQuery(new ApiPath(apiPath.group(), apiPath.version(), apiPath.namespace(), apiPath.plural(), null,
        null), fieldSelector, Optional.ofNullable(KubectlDispatcher.parameter(query, "labelSelector")).orElse(""),
        after, initial, isTrue(sendInitial), isTrue(KubectlDispatcher.parameter(query, "allowWatchBookmarks")), timeoutSeconds,
        String.valueOf(accept).contains("as=Table"));
  }

  /** The API path under the deprecated {@code /api/v1/watch/...} prefix, if the path has it. */
  private static Optional<ApiPath> unwatched(String path) {
    for (String prefix : new String[] {"/api/v1/watch/", "/apis/"}) {
      if (!path.startsWith(prefix)) {
        continue;
      }
      String[] segments = path.split("/");
      int at = prefix.equals("/apis/") ? 4 : 3;
      if (segments.length > at + 1 && segments[at].equals("watch")) {
        StringBuilder rest = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
          if (i != at && !segments[i].isEmpty()) {
            rest.append('/').append(segments[i]);
          }
        }
        return ApiPath.parse(rest.toString());
      }
    }
    return Optional.empty();
  }

  private static boolean isTrue(String value) {
    return "true".equals(value) || "1".equals(value);
  }

  private static long number(String value, String name) {
    try {
      long parsed = Long.parseLong(value);
      if (parsed >= 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // refused below, as for a negative number
    }
    throw ApiException.badRequest(name + ": Invalid value: \"" + value + "\": must be a non-negative integer");
  }

  private static String join(String term, String selector) {
    return selector.isEmpty() ? term : term + "," + selector;
  }

  /** The query of a list of the watched collection, as the store understands it (labels only). */
  String listQuery() {
    return labelSelector.isEmpty() ? "" : "?labelSelector=" + URLEncoder.encode(labelSelector, StandardCharsets.UTF_8);
  }
}
