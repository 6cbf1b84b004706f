package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Watches over chunked HTTP, as kubectl and client-go send them, straight against the embedded API server. */
class HttpWatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Guards a stream that never delivers; not a timing assertion. */
  private static final long GUARD_SECONDS = 30;
  private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";

  static final EmbeddedApiServer api = EmbeddedApiServer.start(0, Clock.systemUTC());
  static final KubernetesClient client = api.newClient();
  static final HttpClient http = HttpClient.newHttpClient();
  private final List<Stream<String>> open = new ArrayList<>();

  @AfterEach
  void closeStreams() {
    open.forEach(Stream::close);
  }

  @AfterAll
  static void stopTheServer() {
    try (api; client) {
      // both closed, the client first
    }
  }

  /** An open watch: its status and the events it has delivered so far, one JSON object per line. */
  record Watch(int status, String contentType, BlockingQueue<JsonNode> events, BlockingQueue<Boolean> ended) {
    JsonNode next() throws InterruptedException {
      JsonNode event = events.poll(GUARD_SECONDS, TimeUnit.SECONDS);
      if (event == null) {
        fail("no watch event arrived");
      }
      return event;
    }

    /** Every event until the server ends the stream. */
    List<JsonNode> untilEnd() throws InterruptedException {
      if (ended.poll(GUARD_SECONDS, TimeUnit.SECONDS) == null) {
        fail("the server did not end the watch");
      }
      List<JsonNode> rest = new ArrayList<>();
      events.drainTo(rest);
      return rest;
    }
  }

  Watch watch(EmbeddedApiServer server, String pathAndQuery, String accept) throws Exception {
    HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(URI.create(server.url() + pathAndQuery))
        .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofLines());
    open.add(response.body());
    BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    BlockingQueue<Boolean> ended = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try {
        response.body().forEach(line -> {
          try {
            events.add(JSON.readTree(line));
          } catch (IOException e) {
            events.add(JSON.createObjectNode().put("type", "UNREADABLE").put("line", line));
          }
        });
      } catch (RuntimeException closedByTheTest) {
        // the stream was closed after the test
      }
      ended.add(true);
    });
    reader.setDaemon(true);
    reader.start();
    return new Watch(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), events, ended);
  }

  Watch watch(String pathAndQuery) throws Exception {
    return watch(api, pathAndQuery, "application/json");
  }

  static ConfigMap configMap(String name, String value) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
        .addToData("value", value).build();
  }

  static long version(ConfigMap object) {
    return Long.parseLong(object.getMetadata().getResourceVersion());
  }

  static String summary(JsonNode event) {
    return event.path("type").asText() + " " + event.path("object").path("metadata").path("name").asText() + " "
        + event.path("object").path("data").path("value").asText();
  }

  @Test
  void eventsAfterTheGivenResourceVersionArriveInOrderAndNothingBeforeIt() throws Exception {
    var configMaps = client.configMaps().inNamespace("default");
    ConfigMap before = configMaps.resource(configMap("order-a", "1")).create();
    configMaps.resource(configMap("order-a", "2")).update();
    configMaps.resource(configMap("order-b", "1")).create();
    configMaps.withName("order-a").delete();

    Watch watch = watch(CONFIGMAPS + "?watch=true&resourceVersion=" + version(before));

    assertThat(watch.status()).isEqualTo(200);
    assertThat(watch.contentType()).startsWith("application/json");
    List<JsonNode> events = List.of(watch.next(), watch.next(), watch.next());
    assertThat(events).extracting(HttpWatchTest::summary)
        .containsExactly("MODIFIED order-a 2", "ADDED order-b 1", "DELETED order-a 2");
    List<Long> versions = events.stream()
        .map(e -> Long.parseLong(e.path("object").path("metadata").path("resourceVersion").asText())).toList();
    assertThat(versions).as("each event's resourceVersion, the deletion's too").isSorted().doesNotHaveDuplicates()
        .allMatch(v -> v > version(before));

    configMaps.resource(configMap("order-c", "1")).create();
    assertThat(summary(watch.next())).as("a change after the watch opened").isEqualTo("ADDED order-c 1");
  }

  @Test
  void aWatchWithoutAVersionStartsWithTheCurrentObjectsAsAdded() throws Exception {
    client.configMaps().inNamespace("default").resource(configMap("current", "now")).create();

    Watch watch = watch(CONFIGMAPS + "?watch=1&fieldSelector=metadata.name%3Dcurrent");

    assertThat(summary(watch.next())).isEqualTo("ADDED current now");
  }

  @Test
  void aFieldSelectorLimitsTheWatchToTheObjectsItSelects() throws Exception {
    var configMaps = client.configMaps().inNamespace("default");
    long from = version(configMaps.resource(configMap("picked-other", "0")).create());
    Watch watch = watch(CONFIGMAPS + "?watch=true&resourceVersion=" + from + "&fieldSelector=metadata.name%3Dpicked");

    configMaps.resource(configMap("picked-other", "1")).update();
    configMaps.resource(configMap("picked", "1")).create();
    configMaps.resource(configMap("picked", "2")).update();

    assertThat(List.of(watch.next(), watch.next())).extracting(HttpWatchTest::summary)
        .containsExactly("ADDED picked 1", "MODIFIED picked 2");
    assertThat(watch.events()).isEmpty();
  }

  @Test
  void aLabelSelectorLimitsTheWatchAndALabelRemovedIsADeletionForIt() throws Exception {
    var configMaps = client.configMaps().inNamespace("default");
    long from = version(configMaps.resource(configMap("labelled-before", "0")).create());
    Watch watch = watch(CONFIGMAPS + "?watch=true&resourceVersion=" + from + "&labelSelector=team%3Dblue");

    ConfigMap blue = configMap("labelled", "1");
    blue.getMetadata().setLabels(java.util.Map.of("team", "blue"));
    configMaps.resource(configMap("unlabelled", "1")).create();
    configMaps.resource(blue).create();
    configMaps.resource(configMap("labelled", "2")).update();

    assertThat(List.of(watch.next(), watch.next())).extracting(HttpWatchTest::summary)
        .containsExactly("ADDED labelled 1", "DELETED labelled 1");
  }

  @Test
  void aWatchOfOneObjectsPathSeesOnlyThatObject() throws Exception {
    var configMaps = client.configMaps().inNamespace("default");
    long from = version(configMaps.resource(configMap("single", "1")).create());
    Watch watch = watch(CONFIGMAPS + "/single?watch=true&resourceVersion=" + from);

    configMaps.resource(configMap("single-not", "1")).create();
    configMaps.resource(configMap("single", "2")).update();

    assertThat(summary(watch.next())).isEqualTo("MODIFIED single 2");
  }

  @Test
  void timeoutSecondsEndsTheStreamAfterABookmarkOfTheLatestVersion() throws Exception {
    long from = version(client.configMaps().inNamespace("default").resource(configMap("bookmarked", "1")).create());

    Watch watch = watch(CONFIGMAPS + "?watch=true&resourceVersion=" + from
        + "&allowWatchBookmarks=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dnothing");

    List<JsonNode> events = watch.untilEnd();
    assertThat(events).hasSize(1);
    JsonNode bookmark = events.get(0);
    assertThat(bookmark.path("type").asText()).isEqualTo("BOOKMARK");
    assertThat(bookmark.path("object").path("kind").asText()).isEqualTo("ConfigMap");
    assertThat(bookmark.path("object").path("apiVersion").asText()).isEqualTo("v1");
    assertThat(Long.parseLong(bookmark.path("object").path("metadata").path("resourceVersion").asText()))
        .isGreaterThanOrEqualTo(from);
  }

  @Test
  void withoutBookmarksAskedForTheTimeoutEndsTheStreamWithNoEvent() throws Exception {
    long from = version(client.configMaps().inNamespace("default").resource(configMap("quiet", "1")).create());

    Watch watch = watch(CONFIGMAPS + "?watch=true&resourceVersion=" + from + "&timeoutSeconds=1"
        + "&fieldSelector=metadata.name%3Dnothing");

    assertThat(watch.status()).isEqualTo(200);
    assertThat(watch.untilEnd()).isEmpty();
  }

  @Test
  void sendInitialEventsEndsTheCurrentObjectsWithAnAnnotatedBookmark() throws Exception {
    client.configMaps().inNamespace("default").resource(configMap("initial", "1")).create();

    Watch watch = watch(CONFIGMAPS + "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
        + "&resourceVersionMatch=NotOlderThan&fieldSelector=metadata.name%3Dinitial");

    assertThat(summary(watch.next())).isEqualTo("ADDED initial 1");
    JsonNode end = watch.next();
    assertThat(end.path("type").asText()).isEqualTo("BOOKMARK");
    assertThat(end.path("object").path("metadata").path("annotations").path("k8s.io/initial-events-end").asText())
        .isEqualTo("true");
  }

  @Test
  void aVersionTheServerNoLongerKeepsEndsTheWatchWithAnExpiredStatus() throws Exception {
    try (EmbeddedApiServer small = EmbeddedApiServer.start(0, Clock.systemUTC(), request -> { }, 3,
        Duration.ofMinutes(1)); KubernetesClient smallClient = small.newClient()) {
      var configMaps = smallClient.configMaps().inNamespace("default");
      long first = version(configMaps.resource(configMap("churn", "0")).create());
      for (int i = 1; i <= 5; i++) {
        configMaps.resource(configMap("churn", String.valueOf(i))).update();
      }

      Watch watch = watch(small, CONFIGMAPS + "?watch=true&resourceVersion=" + first, "application/json");

      assertThat(watch.status()).as("kube-apiserver answers 200 and ends the stream with an ERROR event")
          .isEqualTo(200);
      List<JsonNode> events = watch.untilEnd();
      assertThat(events).hasSize(1);
      assertThat(events.get(0).path("type").asText()).isEqualTo("ERROR");
      JsonNode status = events.get(0).path("object");
      assertThat(status.path("kind").asText()).isEqualTo("Status");
      assertThat(status.path("code").asInt()).isEqualTo(410);
      assertThat(status.path("reason").asText()).isEqualTo("Expired");
      assertThat(status.path("message").asText()).startsWith("too old resource version: " + first + " (");
    }
  }

  @Test
  void aWatchAskingForTablesGetsOneRowTablesWithTheListsColumns() throws Exception {
    var configMaps = client.configMaps().inNamespace("default");
    long from = version(configMaps.resource(configMap("tabled-before", "0")).create());
    Watch watch = watch(api, CONFIGMAPS + "?watch=true&resourceVersion=" + from,
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");

    configMaps.resource(configMap("tabled", "1")).create();

    JsonNode event = watch.next();
    assertThat(event.path("type").asText()).isEqualTo("ADDED");
    JsonNode table = event.path("object");
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("rows")).hasSize(1);
    assertThat(table.path("rows").get(0).path("cells").get(0).asText()).isEqualTo("tabled");
  }

  @Test
  void badWatchParametersAreRefusedWithAStatus() throws Exception {
    for (String[] c : new String[][] {
        {CONFIGMAPS + "?watch=true&resourceVersion=yesterday", "400", "resourceVersion: Invalid value: \"yesterday\""},
        {CONFIGMAPS + "?watch=true&timeoutSeconds=-1", "400", "timeoutSeconds: Invalid value: \"-1\""},
        {"/api/v1/namespaces/default/nothings?watch=true", "404", "the server could not find the requested resource"}}) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api.url() + c[0])).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
      JsonNode status = JSON.readTree(response.body());
      assertThat(status.path("kind").asText()).isEqualTo("Status");
      assertThat(status.path("message").asText()).as(c[0]).contains(c[2]);
    }
  }

  @Test
  void theFabric8ClientsOwnWatchStillSeesChanges() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    var configMaps = client.configMaps().inNamespace("default");
    try (var ignored = configMaps.withName("fabric8-watched").watch(new Watcher<ConfigMap>() {
      @Override
      public void eventReceived(Action action, ConfigMap resource) {
        seen.add(action + " " + resource.getData().get("value"));
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    })) {
      configMaps.resource(configMap("fabric8-watched", "1")).create();
      assertThat(seen.poll(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo("ADDED 1");
    }
  }
}
