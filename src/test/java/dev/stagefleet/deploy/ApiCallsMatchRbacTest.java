package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.CustomResourceDefinitions;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.bench.Broadcasts;
import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.gateway.SigningKeySecret;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.SdkIvsService;
import dev.stagefleet.local.MergePatchingCrudDispatcher;
import dev.stagefleet.operator.OperatorRuntime;
import dev.stagefleet.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every Kubernetes API call the operator and the gateway make through a whole lifecycle (start with leader election,
 * create a broadcast, serve viewers and report them, scale up, delete through the finalizer) is granted by the chart's
 * rendered RBAC, and every verb the chart grants is one of those calls.
 */
@Tag("chart")
class ApiCallsMatchRbacTest {
  static final String RELEASE_NS = StageFleetChart.NAMESPACE;
  static final String SHOWS = "shows";
  static final String KEY = "stagefleet-token-key";
  /**
   * Grants for calls a one-replica lifecycle never makes: a gateway replica reads its broadcast afresh only when its
   * seat claim conflicts with another replica's (GatewayReplicasTest goes down that path).
   */
  static final Set<String> ONLY_WITH_REPLICAS = Set.of("live.stagefleet.dev livebroadcasts get");

  /** One API call as RBAC sees it: namespace (empty when cluster-wide), group, resource[/subresource], verb, name. */
  record Call(String namespace, String group, String resource, String verb, String name) {
    String grant() {
      return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
    }
  }

  /** Who the call is made by, from the User-Agent each client was given. */
  record Recorded(String agent, Call call) {
  }

  @Test
  void everyCallOfTheOperatorAndTheGatewayIsGrantedAndEveryGrantIsCalled() throws Exception {
    List<Recorded> recorded = runLifecycle();
    var rendered = StageFleetChart.render(Map.of());

    List<String> refused = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    for (Recorded r : recorded) {
      if (!r.agent().equals("operator") && !r.agent().equals("gateway")) {
        continue;
      }
      used.add(r.call().grant());
      if (!granted(rendered, r.call())) {
        refused.add(r.agent() + ": " + r.call());
      }
    }
    assertThat(refused).as("calls the chart's RBAC would refuse").isEmpty();
    Set<String> needed = new TreeSet<>(used);
    needed.addAll(ONLY_WITH_REPLICAS);
    assertThat(grantedVerbs(rendered)).as("every granted verb is used").isEqualTo(needed);
  }

  /** The calls each of the two containers makes in one lifecycle, recorded by the mock API server. */
  static List<Recorded> runLifecycle() throws Exception {
    var server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new MergePatchingCrudDispatcher(), false);
    server.init();
    KubernetesClient test = client(server, "test");
    KubernetesClient operatorClient = client(server, "operator");
    KubernetesClient gatewayClient = client(server, "gateway");
    test.apiextensions().v1().customResourceDefinitions().resource(CustomResourceDefinitions.liveBroadcast()).create();
    try (IvsEmulator emulator = IvsEmulator.start(EmulatorSettings.builder().host("127.0.0.1").port(0).build());
        SdkIvsService ivs = SdkIvsService.forEndpoint(emulator.endpoint(), emulator.region(), new IvsRateLimits())) {
      var operatorSettings = OperatorSettings.builder().region(emulator.region()).clusterId("rbac")
          .healthPort(-1).leaderElection(true).leaseNamespace(RELEASE_NS).serverSideApply(false)
          .inventoryRefreshInterval(Duration.ofSeconds(1)).resyncInterval(Duration.ofSeconds(1)).build();
      var gatewaySettings = GatewaySettings.builder().host("127.0.0.1").port(0).metricsPort(-1)
          .replicaId("gw-1").webRoot(null)
          .tokenMode(GatewaySettings.TokenMode.SELF_SIGNED).keySecret(RELEASE_NS + "/" + KEY)
          .audienceReportInterval(Duration.ofMillis(200)).audienceRefreshInterval(Duration.ofSeconds(10))
          .pendingViewerWindow(Duration.ofSeconds(30)).build();
      try (OperatorRuntime operator = new OperatorRuntime(operatorSettings, operatorClient, ivs, Clock.systemUTC())
          .start();
          GatewayServer gateway = new GatewayServer(gatewaySettings, gatewayClient, null, Clock.systemUTC()).start()) {
        // the gateway starts before its key exists, as in the documented install
        test.resource(SigningKeySecret.create(ivs, "rbac", KEY, RELEASE_NS)).create();
        var broadcasts = new Broadcasts(test, SHOWS);
        broadcasts.create("show", 2, 1, 3, 0.5);
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.ready()
            && Broadcasts.activeStages(broadcasts.get("show")) == 1);
        var http = HttpClient.newHttpClient();
        for (int i = 0; i < 2; i++) {
          var joined = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
              + "/api/v1/namespaces/" + SHOWS + "/livebroadcasts/show/viewers"))
              .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
          assertThat(joined.statusCode()).as(joined.body()).isEqualTo(201);
        }
        // the gateway's report of 2 viewers on a stage of 2 (target fill 0.5) makes the operator scale up
        await().atMost(Duration.ofSeconds(30)).until(() -> Broadcasts.activeStages(broadcasts.get("show")) >= 2);
        // an invalid spec is refused on every look, so its Warning repeats: the operator counts it up with a patch
        broadcasts.create("invalid", 2, 5, 3, 0.5);
        await().atMost(Duration.ofSeconds(30)).until(() -> test.v1().events().inNamespace(SHOWS).list().getItems()
            .stream().anyMatch(e -> e.getCount() != null && e.getCount() >= 2));
        test.resources(LiveBroadcast.class).inNamespace(SHOWS).withName("invalid").delete();
        test.resources(LiveBroadcast.class).inNamespace(SHOWS).withName("show").delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> broadcasts.get("show") == null
            && broadcasts.get("invalid") == null);
      }
    } finally {
      test.close();
      operatorClient.close();
      gatewayClient.close();
    }
    List<Recorded> recorded = new ArrayList<>();
    for (RecordedRequest request; (request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null; ) {
      Call call = call(request);
      if (call != null) {
        String agent = request.getHeader("User-Agent");
        recorded.add(new Recorded(agent == null ? "" : agent, call));
      }
    }
    server.destroy();
    return recorded;
  }

  static KubernetesClient client(KubernetesMockServer server, String agent) {
    var config = new ConfigBuilder(server.createClient().getConfiguration()).withUserAgent(agent).build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * The RBAC view of a request; null for what every authenticated user may do (discovery, /version, the
   * SelfSubjectAccessReviews java-operator-sdk sends to check its own permissions).
   */
  static Call call(RecordedRequest request) {
    String full = request.getPath();
    int q = full.indexOf('?');
    String path = q < 0 ? full : full.substring(0, q);
    String query = q < 0 ? "" : URLDecoder.decode(full.substring(q + 1), StandardCharsets.UTF_8);
    List<String> parts = new ArrayList<>(List.of(path.substring(1).split("/")));
    String group;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      parts = parts.subList(2, parts.size());
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      parts = parts.subList(3, parts.size());
    } else {
      return null;
    }
    String namespace = "";
    if (parts.size() >= 3 && parts.get(0).equals("namespaces")) {
      namespace = parts.get(1);
      parts = parts.subList(2, parts.size());
    }
    if (group.equals("authorization.k8s.io")) {
      return null;
    }
    String resource = parts.get(0) + (parts.size() >= 3 ? "/" + parts.get(2) : "");
    String name = parts.size() >= 2 ? parts.get(1) : fieldSelectedName(query);
    String verb = switch (request.getMethod()) {
      case "GET" -> parts.size() >= 2 ? "get" : query.contains("watch=true") ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> request.getMethod();
    };
    return new Call(namespace, group, resource, verb, name);
  }

  /** The name a list or watch asks for with {@code fieldSelector=metadata.name=...}, which RBAC matches. */
  static String fieldSelectedName(String query) {
    for (String param : query.split("&")) {
      if (param.startsWith("fieldSelector=metadata.name=")) {
        return param.substring("fieldSelector=metadata.name=".length());
      }
    }
    return null;
  }

  static boolean granted(StageFleetChart.Rendered rendered, Call call) {
    for (ClusterRole role : rendered.all(ClusterRole.class)) {
      if (role.getRules().stream().anyMatch(rule -> allows(rule, call))) {
        return true;
      }
    }
    for (Role role : rendered.all(Role.class)) {
      if (role.getMetadata().getNamespace().equals(call.namespace())
          && role.getRules().stream().anyMatch(rule -> allows(rule, call))) {
        return true;
      }
    }
    return false;
  }

  static boolean allows(PolicyRule rule, Call call) {
    return rule.getApiGroups().contains(call.group()) && rule.getResources().contains(call.resource())
        && rule.getVerbs().contains(call.verb())
        && (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
            || rule.getResourceNames().contains(call.name()));
  }

  /** Every (group, resource, verb) the chart grants, in the form {@link Call#grant()} writes. */
  static Set<String> grantedVerbs(StageFleetChart.Rendered rendered) {
    Set<String> grants = new TreeSet<>();
    List<PolicyRule> rules = new ArrayList<>();
    rendered.all(ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
    rendered.all(Role.class).forEach(r -> rules.addAll(r.getRules()));
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add((group.isEmpty() ? "core" : group) + " " + resource + " " + verb);
          }
        }
      }
    }
    return grants;
  }

}
