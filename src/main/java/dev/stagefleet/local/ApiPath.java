package dev.stagefleet.local;

import java.util.List;
import java.util.Optional;

/**
 * A Kubernetes API path, parsed once: {@code /api/v1/[namespaces/NS/]PLURAL[/NAME[/SUB]]} and
 * {@code /apis/GROUP/VERSION/[namespaces/NS/]PLURAL[/NAME[/SUB]]}. A group-version path ({@code /api/v1},
 * {@code /apis/g/v}) has no plural; a collection has no name. The core group is the empty string.
 */
record ApiPath(String group, String version, String namespace, String plural, String name, String subresource) {
  private static final String NAMESPACES = "namespaces";
  /** Subresources of a Namespace, which would otherwise read as a resource inside it. */
  private static final List<String> NAMESPACE_SUBRESOURCES = List.of("status", "finalize");

  /** The path (without query string) as an API path, or empty for {@code /version}, {@code /openapi/...} and the like. */
  static Optional<ApiPath> parse(String path) {
    List<String> segments = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
    int rest;
    String group;
    String version;
    if (segments.size() >= 2 && segments.get(0).equals("api")) {
      group = "";
      version = segments.get(1);
      rest = 2;
    } else if (segments.size() >= 3 && segments.get(0).equals("apis")) {
      group = segments.get(1);
      version = segments.get(2);
      rest = 3;
    } else {
      return Optional.empty();
    }
    List<String> r = segments.subList(rest, segments.size());
    String namespace = null;
    boolean insideNamespace = r.size() >= 3 && r.get(0).equals(NAMESPACES)
        && !(r.size() == 3 && group.isEmpty() && NAMESPACE_SUBRESOURCES.contains(r.get(2)));
    if (insideNamespace) {
      namespace = r.get(1);
      r = r.subList(2, r.size());
    }
    if (r.size() > 3) {
      return Optional.empty();
    }
    return Optional.of(new ApiPath(group, version, namespace, at(r, 0), at(r, 1), at(r, 2)));
  }

  private static String at(List<String> segments, int index) {
    return segments.size() > index ? segments.get(index) : null;
  }

  /** {@code v1} for the core group, else {@code group/version}, as in an object's apiVersion. */
  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** A group-version path, answered by discovery. */
  boolean isGroupVersion() {
    return plural == null;
  }

  /** A path naming one object (or one of its subresources). */
  boolean isObject() {
    return name != null;
  }

  /** The resource as Status messages name it: {@code livebroadcasts.live.stagefleet.dev}, {@code secrets}. */
  String qualifiedResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  /** The path of the object itself, without its subresource. */
  ApiPath withoutSubresource() {
    return new ApiPath(group, version, namespace, plural, name, null);
  }

  /** This path written out again. */
  String path() {
    StringBuilder b = new StringBuilder(group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version);
    if (namespace != null) {
      b.append('/').append(NAMESPACES).append('/').append(namespace);
    }
    for (String segment : new String[] {plural, name, subresource}) {
      if (segment != null) {
        b.append('/').append(segment);
      }
    }
    return b.toString();
  }
}
