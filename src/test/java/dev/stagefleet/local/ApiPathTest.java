package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiPathTest {
  static ApiPath parse(String path) {
    return ApiPath.parse(path).orElseThrow();
  }

  @Test
  void readsCoreAndGroupPathsWithAndWithoutANamespace() {
    assertThat(parse("/api/v1/namespaces/default/secrets/key"))
        .isEqualTo(new ApiPath("", "v1", "default", "secrets", "key", null));
    assertThat(parse("/apis/live.stagefleet.dev/v1alpha1/namespaces/ns/livebroadcasts/show/status"))
        .isEqualTo(new ApiPath("live.stagefleet.dev", "v1alpha1", "ns", "livebroadcasts", "show", "status"));
    assertThat(parse("/apis/live.stagefleet.dev/v1alpha1/livebroadcasts"))
        .isEqualTo(new ApiPath("live.stagefleet.dev", "v1alpha1", null, "livebroadcasts", null, null));
    assertThat(parse("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x.y"))
        .isEqualTo(new ApiPath("apiextensions.k8s.io", "v1", null, "customresourcedefinitions", "x.y", null));
  }

  @Test
  void namespacesAreObjectsThemselvesWithTheirOwnSubresources() {
    assertThat(parse("/api/v1/namespaces")).isEqualTo(new ApiPath("", "v1", null, "namespaces", null, null));
    assertThat(parse("/api/v1/namespaces/team")).isEqualTo(new ApiPath("", "v1", null, "namespaces", "team", null));
    assertThat(parse("/api/v1/namespaces/team/finalize"))
        .isEqualTo(new ApiPath("", "v1", null, "namespaces", "team", "finalize"));
    assertThat(parse("/api/v1/namespaces/team/events"))
        .isEqualTo(new ApiPath("", "v1", "team", "events", null, null));
  }

  @Test
  void groupVersionPathsHaveNoResourceAndOtherPathsAreNotApiPaths() {
    assertThat(parse("/api/v1").isGroupVersion()).isTrue();
    assertThat(parse("/apis/coordination.k8s.io/v1/").isGroupVersion()).isTrue();
    assertThat(ApiPath.parse("/version")).isEmpty();
    assertThat(ApiPath.parse("/openapi/v3")).isEmpty();
    assertThat(ApiPath.parse("/apis")).isEmpty();
  }

  @Test
  void writesItselfOutAgainAndNamesTheResourceAsStatusMessagesDo() {
    String path = "/apis/live.stagefleet.dev/v1alpha1/namespaces/ns/livebroadcasts/show/status";
    assertThat(parse(path).path()).isEqualTo(path);
    assertThat(parse(path).withoutSubresource().path())
        .isEqualTo("/apis/live.stagefleet.dev/v1alpha1/namespaces/ns/livebroadcasts/show");
    assertThat(parse(path).qualifiedResource()).isEqualTo("livebroadcasts.live.stagefleet.dev");
    assertThat(parse("/api/v1/namespaces/ns/secrets/k").qualifiedResource()).isEqualTo("secrets");
  }
}
