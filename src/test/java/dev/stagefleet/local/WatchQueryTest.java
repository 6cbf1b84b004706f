package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class WatchQueryTest {
  private static final String LBC = "/apis/live.stagefleet.dev/v1alpha1/namespaces/shows/livebroadcasts";

  @Test
  void watchIsTrueOrOneOrTheOldWatchPrefix() {
    assertThat(WatchQuery.isWatch(LBC, "watch=true")).isTrue();
    assertThat(WatchQuery.isWatch(LBC, "watch=1&resourceVersion=4")).isTrue();
    assertThat(WatchQuery.isWatch("/api/v1/watch/namespaces/shows/events", "")).isTrue();
    assertThat(WatchQuery.isWatch("/apis/live.stagefleet.dev/v1alpha1/watch/livebroadcasts", "")).isTrue();
    assertThat(WatchQuery.isWatch(LBC, "watch=false")).isFalse();
    assertThat(WatchQuery.isWatch(LBC, "limit=500")).isFalse();
  }

  @Test
  void aWatchOfOneObjectsPathIsItsCollectionSelectedByName() {
    WatchQuery query = WatchQuery.parse(LBC + "/launch", "watch=true&fieldSelector=status.phase%3DLive", null);

    assertThat(query.collection()).isEqualTo(ApiPath.parse(LBC).orElseThrow());
    assertThat(query.fieldSelector()).isEqualTo("metadata.name=launch,status.phase=Live");
  }

  @Test
  void theOldWatchPrefixNamesTheSameCollection() {
    WatchQuery query = WatchQuery.parse("/api/v1/watch/namespaces/shows/events", "", null);

    assertThat(query.collection()).isEqualTo(new ApiPath("", "v1", "shows", "events", null, null));
  }

  @Test
  void withoutAVersionOrWithVersionZeroTheCurrentObjectsComeFirst() {
    assertThat(WatchQuery.parse(LBC, "watch=true", null).sendInitialEvents()).isTrue();
    assertThat(WatchQuery.parse(LBC, "watch=true&resourceVersion=0", null).sendInitialEvents()).isTrue();
    WatchQuery resumed = WatchQuery.parse(LBC, "watch=true&resourceVersion=42&allowWatchBookmarks=true"
        + "&timeoutSeconds=300", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
    assertThat(resumed.sendInitialEvents()).isFalse();
    assertThat(resumed.afterVersion()).isEqualTo(OptionalLong.of(42));
    assertThat(resumed.bookmarks()).isTrue();
    assertThat(resumed.timeoutSeconds()).isEqualTo(OptionalLong.of(300));
    assertThat(resumed.table()).isTrue();
  }

  @Test
  void aSubresourceCannotBeWatched() {
    assertThatThrownBy(() -> WatchQuery.parse(LBC + "/launch/status", "watch=true", null))
        .isInstanceOf(ApiException.class).hasMessageContaining("does not allow watching status");
  }
}
