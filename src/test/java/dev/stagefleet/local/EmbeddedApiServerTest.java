package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("apiserver")
class EmbeddedApiServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static EmbeddedApiServer api;
  static KubernetesClient client;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    api = EmbeddedApiServer.start(0, Clock.systemUTC());
    client = api.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    api.close();
  }

  static JsonNode get(String path, String accept) throws Exception {
    var response = http.send(HttpRequest.newBuilder(URI.create(api.url() + path)).header("Accept", accept).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  static LiveBroadcast broadcast(String name) {
    var lb = new LiveBroadcast();
    lb.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").build());
    var b = new LiveBroadcastSpec.Broadcaster();
    b.setApiKeySecretRef(new LiveBroadcastSpec.SecretKeyRef("k", "apiKey"));
    lb.setSpec(new LiveBroadcastSpec());
    lb.getSpec().setBroadcaster(b);
    return lb;
  }

  @Test
  void servesVersionAndDiscoveryIncludingTheStoredCrd() throws Exception {
    assertThat(client.raw("/version")).contains("\"gitVersion\"");
    JsonNode groups = JSON.readTree(client.raw("/apis"));
    List<String> names = new ArrayList<>();
    groups.path("groups").forEach(g -> names.add(g.path("name").asText()));
    assertThat(names).contains(LiveBroadcast.GROUP, "apiextensions.k8s.io", "coordination.k8s.io");
    JsonNode resources = JSON.readTree(client.raw("/apis/live.stagefleet.dev/v1alpha1"));
    JsonNode lbc = resources.path("resources").get(0);
    assertThat(lbc.path("name").asText()).isEqualTo("livebroadcasts");
    assertThat(lbc.path("namespaced").asBoolean()).isTrue();
    assertThat(lbc.path("shortNames").get(0).asText()).isEqualTo("lbc");
    assertThat(lbc.path("categories").get(0).asText()).isEqualTo("stagefleet");
    assertThat(resources.toString()).contains("livebroadcasts/status");
    JsonNode core = JSON.readTree(client.raw("/api/v1"));
    assertThat(core.toString()).contains("\"secrets\"", "\"events\"");
  }

  @Test
  void rendersServerSideTablesWithThePrinterColumns() throws Exception {
    var lb = client.resource(broadcast("table-show")).create();
    var status = new LiveBroadcastStatus();
    status.setPhase("Live");
    status.setReadyStages(2);
    status.setDesiredStages(3);
    status.setViewers(77);
    status.setConditions(List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType("Ready")
        .withStatus("True").build()));
    lb.setStatus(status);
    client.resource(lb).updateStatus();

    JsonNode table = get("/apis/live.stagefleet.dev/v1alpha1/namespaces/default/livebroadcasts",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    List<String> columns = new ArrayList<>();
    table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText().toUpperCase()));
    assertThat(columns).containsExactlyInAnyOrder("NAME", "READY", "STAGES", "DESIRED", "VIEWERS", "WAITING", "PHASE", "AGE");
    JsonNode row = null;
    for (JsonNode r : table.path("rows")) {
      if (r.path("cells").get(0).asText().equals("table-show")) {
        row = r;
      }
    }
    assertThat(row).isNotNull();
    List<String> cells = new ArrayList<>();
    row.path("cells").forEach(c -> cells.add(c.asText()));
    assertThat(cells.get(columns.indexOf("READY"))).isEqualTo("True");
    assertThat(cells.get(columns.indexOf("STAGES"))).isEqualTo("2");
    assertThat(cells.get(columns.indexOf("VIEWERS"))).isEqualTo("77");
    assertThat(cells.get(columns.indexOf("PHASE"))).isEqualTo("Live");
    assertThat(cells.get(columns.indexOf("AGE"))).matches("\\d+s");
    assertThat(row.path("object").path("kind").asText()).isEqualTo("PartialObjectMetadata");

    JsonNode single = get("/apis/live.stagefleet.dev/v1alpha1/namespaces/default/livebroadcasts/table-show",
        "application/json;as=Table;v=v1;g=meta.k8s.io");
    assertThat(single.path("rows")).hasSize(1);
  }

  @Test
  void statusPatchWithAQueryStringStillHitsTheStatusSubresource() throws Exception {
    client.resource(broadcast("patched")).create();
    var request = HttpRequest.newBuilder(URI.create(api.url()
            + "/apis/live.stagefleet.dev/v1alpha1/namespaces/default/livebroadcasts/patched/status?fieldManager=kubectl"))
        .header("Content-Type", "application/merge-patch+json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\":{\"phase\":\"Live\"},\"spec\":{\"maxStages\":3}}"))
        .build();
    assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isBetween(200, 299);
    var stored = client.resources(LiveBroadcast.class).inNamespace("default").withName("patched").get();
    assertThat(stored.getStatus().getPhase()).isEqualTo("Live");
    assertThat(stored.getSpec().getMaxStages()).as("a status patch must not change the spec").isEqualTo(10);
  }

  @Test
  void mergePatchesReplaceArraysAndRemoveNullMembersAsRfc7386Says() throws Exception {
    client.resource(broadcast("merged")).create();
    String path = "/apis/live.stagefleet.dev/v1alpha1/namespaces/default/livebroadcasts/merged/status";
    patch(path, "{\"status\":{\"phase\":\"Live\",\"stages\":[{\"id\":\"a\"},{\"id\":\"b\"}]}}");
    patch(path, "{\"status\":{\"phase\":null,\"stages\":[{\"id\":\"c\"}]}}");
    var status = client.resources(LiveBroadcast.class).inNamespace("default").withName("merged").get().getStatus();
    assertThat(status.getStages()).extracting(LiveBroadcastStatus.StageStatus::getId).containsExactly("c");
    assertThat(status.getPhase()).isNull();
  }

  static void patch(String path, String body) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(api.url() + path))
        .header("Content-Type", "application/merge-patch+json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build();
    assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isBetween(200, 299);
  }

  @Test
  void listsFilteredByFieldSelectorsAsKubectlDescribeAsksForEvents() throws Exception {
    for (String name : List.of("one", "two")) {
      client.v1().events().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
          .withNewMetadata().withName("ev-" + name).endMetadata().withReason("ScaledUp").withType("Normal")
          .withMessage("stage for " + name).withNewInvolvedObject().withKind("LiveBroadcast").withName(name)
          .withNamespace("default").endInvolvedObject().build()).create();
    }
    JsonNode list = get("/api/v1/namespaces/default/events?fieldSelector="
        + java.net.URLEncoder.encode("involvedObject.kind=LiveBroadcast,involvedObject.name=two", "UTF-8")
        + "&limit=500", "application/json");
    assertThat(list.path("kind").asText()).as("typed clients decode an EventList").isEqualTo("EventList");
    assertThat(list.path("items")).hasSize(1);
    assertThat(list.path("items").get(0).path("message").asText()).isEqualTo("stage for two");

    JsonNode table = get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Done",
        "application/json;as=Table;v=v1;g=meta.k8s.io");
    List<String> columns = new ArrayList<>();
    table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
    assertThat(columns).contains("Type", "Reason", "Object", "Message");
    assertThat(table.path("rows")).hasSize(1);
  }

  @Test
  void aMissingObjectIsANotFoundStatusNamingItAsKubectlPrintsIt() throws Exception {
    String[][] cases = {
        {"/apis/live.stagefleet.dev/v1alpha1/namespaces/default/livebroadcasts/nope", "application/json",
            "livebroadcasts.live.stagefleet.dev \"nope\" not found"},
        {"/apis/live.stagefleet.dev/v1alpha1/namespaces/default/livebroadcasts/nope",
            "application/json;as=Table;v=v1;g=meta.k8s.io", "livebroadcasts.live.stagefleet.dev \"nope\" not found"},
        {"/api/v1/namespaces/default/secrets/nope", "application/json", "secrets \"nope\" not found"},
        {"/api/v1/namespaces/nowhere", "application/json", "namespaces \"nowhere\" not found"}};
    for (String[] c : cases) {
      var response = http.send(HttpRequest.newBuilder(URI.create(api.url() + c[0])).header("Accept", c[1]).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(c[0]).isEqualTo(404);
      JsonNode status = JSON.readTree(response.body());
      assertThat(status.path("kind").asText()).as(response.body()).isEqualTo("Status");
      assertThat(status.path("reason").asText()).isEqualTo("NotFound");
      assertThat(status.path("code").asInt()).isEqualTo(404);
      assertThat(status.path("message").asText()).isEqualTo(c[2]);
    }
    var delete = http.send(HttpRequest.newBuilder(URI.create(api.url() + cases[0][0])).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(delete.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(delete.body()).path("details").path("name").asText()).isEqualTo("nope");
    assertThat(client.resources(LiveBroadcast.class).inNamespace("default").withName("nope").get()).isNull();
  }

  @Test
  void kubectlApplysStrategicMergePatchOfASecretIsAppliedAsAMergePatch() throws Exception {
    client.secrets().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("applied").endMetadata().addToStringData("apiKey", "old").build()).create();
    var request = HttpRequest.newBuilder(URI.create(api.url()
            + "/api/v1/namespaces/default/secrets/applied?fieldManager=kubectl-client-side-apply"))
        .header("Content-Type", "application/strategic-merge-patch+json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"annotations\":{\"note\":\"applied\"},"
            + "\"$setElementOrder/finalizers\":[]},\"stringData\":{\"apiKey\":\"new\"}}")).build();
    var response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    var secret = client.secrets().inNamespace("default").withName("applied").get();
    assertThat(secret.getMetadata().getAnnotations()).containsEntry("note", "applied");
    assertThat(secret.getData()).as("stringData is stored in data, as the API server does")
        .containsEntry("apiKey", java.util.Base64.getEncoder().encodeToString("new".getBytes()));
    assertThat(response.body()).doesNotContain("$setElementOrder");
  }

  @Test
  void serverSideApplyIsRefusedAtOnceWithASentenceSayingWhatToDoInstead() throws Exception {
    client.resource(broadcast("applied-ssa")).create();
    var request = HttpRequest.newBuilder(URI.create(api.url()
            + "/apis/live.stagefleet.dev/v1alpha1/namespaces/default/livebroadcasts/applied-ssa?fieldManager=kubectl"))
        .header("Content-Type", "application/apply-patch+yaml")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("spec:\n  maxStages: 3\n")).build();
    var response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(415);
    JsonNode status = JSON.readTree(response.body());
    assertThat(status.path("reason").asText()).isEqualTo("UnsupportedMediaType");
    assertThat(status.path("message").asText()).isEqualTo("server-side apply is not supported by the StageFleet "
        + "local API server; run kubectl apply without --server-side");
    assertThat(client.resources(LiveBroadcast.class).inNamespace("default").withName("applied-ssa").get().getSpec()
        .getMaxStages()).isEqualTo(10);
  }

  @Test
  void refusesAPortInUseWithAClearMessage() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmbeddedApiServer.start(api.port(), Clock.systemUTC()))
        .hasMessageContaining("port " + api.port() + " is already in use");
  }
}
