package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.deploy.StageFleetChart.Rendered;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What {@code helm template} renders: workloads, their flags, probes, security, Service, Ingress, PDB, monitoring. */
@Tag("chart")
class HelmChartTemplateTest {
  static final String NAMESPACE = StageFleetChart.NAMESPACE;

  static Rendered defaults;
  static Rendered full;

  @BeforeAll
  static void renderDefaultAndFullValues() {
    defaults = StageFleetChart.render(Map.of());
    full = StageFleetChart.renderWithServiceMonitorCrd(StageFleetChart.FULL_VALUES, Map.of());
  }

  static Container container(Rendered rendered, String name) {
    return rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name));
  }

  @Test
  void runsTheOperatorAndTheGatewayFromOneImageInEachPod() {
    Deployment deployment = defaults.one(Deployment.class);
    var pod = deployment.getSpec().getTemplate().getSpec();

    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("operator", "gateway");
    assertThat(pod.getContainers()).extracting(Container::getImage).containsOnly("ghcr.io/stagefleet/stagefleet:0.1.0");
    assertThat(pod.getServiceAccountName()).isEqualTo(defaults.one(ServiceAccount.class).getMetadata().getName());
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .isEqualTo(deployment.getSpec().getTemplate().getMetadata().getLabels());
  }

  @Test
  void passesTheOperatorItsSettingsWithLeaderElectionOnInTheReleaseNamespace() {
    assertThat(container(defaults, "operator").getArgs()).containsExactly(
        "operator",
        "--region=us-east-1",
        "--cluster-id=default",
        "--health-port=8081",
        "--leader-election=true",
        "--lease-namespace=" + NAMESPACE,
        "--server-side-apply=false",
        "--orphan-grace-seconds=120",
        "--inventory-refresh-seconds=5",
        "--participant-sample-rate=2");
  }

  @Test
  void passesTheGatewayItsSettingsWithTheKeySecretAndThePodNameAsReplicaId() {
    Container gateway = container(defaults, "gateway");

    assertThat(gateway.getArgs()).containsExactly(
        "gateway",
        "--port=8080",
        "--metrics-port=8082",
        "--region=us-east-1",
        "--token-mode=self-signed",
        "--key-secret=" + NAMESPACE + "/stagefleet-token-key",
        "--replica-id=$(POD_NAME)",
        "--legacy-endpoints=true",
        "--warm-up-joins=6000",
        "--web-root=/app/web");
    assertThat(gateway.getEnv()).anySatisfy(env -> {
      assertThat(env.getName()).isEqualTo("POD_NAME");
      assertThat(env.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    });
  }

  @Test
  void carriesEveryValueIntoTheFlagsOfBothContainers() {
    assertThat(full.one(Deployment.class).getSpec().getReplicas()).isEqualTo(3);
    assertThat(container(full, "operator").getArgs()).contains(
        "--region=eu-west-1", "--cluster-id=prod-eu-1", "--namespaces=shows,events-team", "--health-port=9081",
        "--orphan-grace-seconds=300", "--inventory-refresh-seconds=10", "--participant-sample-rate=1");
    assertThat(container(full, "gateway").getArgs()).contains(
        "--port=9080", "--region=eu-west-1", "--namespaces=shows,events-team",
        "--key-secret=stagefleet-keys/ivs-token-key",
        "--cors-origins=https://shows.example.com,https://studio.example.com", "--legacy-endpoints=false",
        "--warm-up-joins=500");
    assertThat(container(full, "operator").getImage())
        .isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/stagefleet:0.1.0");
  }

  @Test
  void apiTokenModeNeedsNoKeySecret() {
    Rendered rendered = StageFleetChart.render(Map.of("tokens.mode", "api", "ivsEndpoint", "http://ivs-emulator:4566"));

    assertThat(container(rendered, "gateway").getArgs())
        .contains("--token-mode=api", "--ivs-endpoint=http://ivs-emulator:4566")
        .noneMatch(arg -> arg.startsWith("--key-secret"));
    assertThat(container(rendered, "operator").getArgs()).contains("--ivs-endpoint=http://ivs-emulator:4566");
  }

  @Test
  void apiTokenModeGivesEveryGatewayReplicaOneClaimsKeyFromASecretMadeOnce() {
    Rendered rendered = StageFleetChart.render(Map.of("tokens.mode", "api"));
    Container gateway = container(rendered, "gateway");
    var pod = rendered.one(Deployment.class).getSpec().getTemplate().getSpec();

    Secret secret = rendered.one(Secret.class);
    assertThat(secret.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    String key = new String(java.util.Base64.getDecoder().decode(secret.getData().get("claimsKey")),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(key).as("random, and long enough for --claims-key-file").matches("[A-Za-z0-9]{64}");
    assertThat(StageFleetChart.render(Map.of("tokens.mode", "api")).one(Secret.class).getData().get("claimsKey"))
        .as("a new key per install (an upgrade finds the one in the cluster)").isNotEqualTo(
            secret.getData().get("claimsKey"));
    var mount = gateway.getVolumeMounts().stream().filter(m -> m.getName().equals("claims-key")).findFirst()
        .orElseThrow(() -> new AssertionError("no claims key mounted"));
    assertThat(mount.getReadOnly()).isTrue();
    assertThat(gateway.getArgs()).contains("--claims-key-file=" + mount.getMountPath() + "/claimsKey");
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("claims-key")).singleElement()
        .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo(secret.getMetadata().getName()));
    assertThat(container(rendered, "operator").getVolumeMounts()).noneMatch(m -> m.getName().equals("claims-key"));

    assertThat(defaults.all(Secret.class)).as("self-signed: the claims are keyed from the token key").isEmpty();
    assertThat(container(defaults, "gateway").getArgs()).noneMatch(arg -> arg.startsWith("--claims-key-file"));
  }

  @Test
  void operatorHealthDrivesOnlyItsLivenessAndThePodsReadinessFollowsTheGateway() {
    Container operator = container(defaults, "operator");
    Container gateway = container(defaults, "gateway");

    assertThat(probe(operator, operator.getLivenessProbe())).isEqualTo("8081/healthz");
    assertThat(operator.getReadinessProbe()).as("an unready operator must not take the gateway out of the Service")
        .isNull();
    assertThat(probe(operator, operator.getStartupProbe())).isEqualTo("8081/healthz");
    assertThat(probe(gateway, gateway.getLivenessProbe())).isEqualTo("8080/health");
    assertThat(probe(gateway, gateway.getReadinessProbe())).isEqualTo("8080/ready");
    assertThat(probe(gateway, gateway.getStartupProbe())).isEqualTo("8080/health");
  }

  /** A probe as "containerPort/path", resolving a named port against the container's ports. */
  static String probe(Container container, Probe probe) {
    var action = probe.getHttpGet();
    var port = action.getPort();
    int number = port.getIntVal() != null ? port.getIntVal() : container.getPorts().stream()
        .filter(p -> p.getName().equals(port.getStrVal())).findFirst()
        .orElseThrow(() -> new AssertionError("probe names unknown port " + port.getStrVal())).getContainerPort();
    return number + action.getPath();
  }

  @Test
  void runsNonRootWithAReadOnlyRootNoPrivilegeEscalationAndNoCapabilities() {
    var pod = defaults.one(Deployment.class).getSpec().getTemplate().getSpec();

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getContainers()).hasSize(2).allSatisfy(c -> {
      var security = c.getSecurityContext();
      assertThat(security.getRunAsNonRoot()).isTrue();
      assertThat(security.getReadOnlyRootFilesystem()).isTrue();
      assertThat(security.getAllowPrivilegeEscalation()).isFalse();
      assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
      assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
      assertThat(c.getResources().getLimits()).containsKey("memory");
    });
  }

  @Test
  void givesEachContainerItsOwnWritableTmp() {
    var pod = defaults.one(Deployment.class).getSpec().getTemplate().getSpec();

    List<String> tmpVolumes = pod.getContainers().stream()
        .map(c -> c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
            .orElseThrow(() -> new AssertionError(c.getName() + " has no /tmp")).getName())
        .toList();
    assertThat(tmpVolumes).doesNotHaveDuplicates().hasSize(2);
    assertThat(pod.getVolumes()).filteredOn(v -> tmpVolumes.contains(v.getName()))
        .hasSize(2).extracting(Volume::getEmptyDir).doesNotContainNull();
  }

  @Test
  void annotatesTheServiceAccountForIrsaOnlyWhenARoleArnIsSet() {
    assertThat(defaults.one(ServiceAccount.class).getMetadata().getAnnotations())
        .doesNotContainKey("eks.amazonaws.com/role-arn");

    ServiceAccount irsa = full.one(ServiceAccount.class);
    assertThat(irsa.getMetadata().getName()).isEqualTo("stagefleet-controller");
    assertThat(irsa.getMetadata().getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/stagefleet-ivs",
        "example.com/owner", "media-platform"));
  }

  @Test
  void usesAnExistingServiceAccountWhenAskedNotToCreateOne() {
    Rendered rendered = StageFleetChart.render(Map.of("serviceAccount.create", false, "serviceAccount.name", "ivs-sa"));

    assertThat(rendered.all(ServiceAccount.class)).isEmpty();
    assertThat(rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("ivs-sa");
  }

  @Test
  void rendersTheServiceMonitorOnlyWhenEnabled() {
    assertThat(defaults.ofKind("ServiceMonitor")).isEmpty();

    var monitor = (GenericKubernetesResource) full.ofKind("ServiceMonitor").get(0);
    Service service = full.one(Service.class);
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
    assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
    List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
    assertThat(endpoints).extracting(e -> e.get("port") + " " + e.get("path"))
        .containsExactlyInAnyOrder("gateway-metrics /metrics", "operator-metrics /metrics");
    assertThat(service.getSpec().getPorts()).extracting(p -> p.getName())
        .contains("http", "gateway-metrics", "operator-metrics");
  }

  @Test
  void failsToInstallAServiceMonitorWhereTheClusterHasNoServiceMonitorCrd() {
    assertThatThrownBy(() -> StageFleetChart.render(Map.of("serviceMonitor.enabled", true)))
        .hasMessageContaining("no ServiceMonitor CRD").hasMessageContaining("serviceMonitor.enabled=false");
  }

  @Test
  void servesTheGatewaysMetricsOnAPortTheIngressDoesNotRouteTo() {
    var gateway = container(full, "gateway");
    assertThat(gateway.getArgs()).contains("--metrics-port=8082");
    assertThat(gateway.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactlyInAnyOrder("http:9080", "metrics:8082");
    var ingress = full.one(io.fabric8.kubernetes.api.model.networking.v1.Ingress.class);
    assertThat(ingress.getSpec().getRules()).flatExtracting(r -> r.getHttp().getPaths())
        .allSatisfy(path -> assertThat(path.getBackend().getService().getPort().getName()).isEqualTo("http"));
    var http = full.one(Service.class).getSpec().getPorts().stream().filter(p -> p.getName().equals("http"))
        .findFirst().orElseThrow();
    assertThat(http.getTargetPort().getStrVal()).isEqualTo("http");
  }

  @Test
  void keepsEachClientOnOneGatewayReplica() {
    var service = defaults.one(Service.class).getSpec();
    assertThat(defaults.one(Deployment.class).getSpec().getReplicas()).isEqualTo(2);
    assertThat(service.getSessionAffinity()).isEqualTo("ClientIP");
    assertThat(service.getSessionAffinityConfig().getClientIP().getTimeoutSeconds()).isPositive();
    var ingress = full.one(io.fabric8.kubernetes.api.model.networking.v1.Ingress.class);
    assertThat(ingress.getMetadata().getAnnotations())
        .containsEntry("nginx.ingress.kubernetes.io/affinity", "cookie")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600");
    assertThat(StageFleetChart.render(Map.of("service.sessionAffinity", "None")).one(Service.class).getSpec()
        .getSessionAffinity()).isNull();
  }

  @Test
  void exposesTheGatewayThroughTheServiceAndTheOptionalIngress() {
    Service service = defaults.one(Service.class);
    var http = service.getSpec().getPorts().stream().filter(p -> p.getName().equals("http")).findFirst().orElseThrow();
    assertThat(http.getPort()).isEqualTo(80);
    assertThat(http.getTargetPort().getStrVal()).isEqualTo("http");
    assertThat(container(defaults, "gateway").getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("http:8080", "metrics:8082");
    assertThat(service.getSpec().getSelector())
        .isEqualTo(defaults.one(Deployment.class).getSpec().getSelector().getMatchLabels());
    assertThat(defaults.all(Ingress.class)).isEmpty();

    Ingress ingress = full.one(Ingress.class);
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(ingress.getSpec().getTls()).singleElement()
        .satisfies(tls -> assertThat(tls.getSecretName()).isEqualTo("live-example-com-tls"));
    var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
    assertThat(backend.getName()).isEqualTo(full.one(Service.class).getMetadata().getName());
    assertThat(backend.getPort().getName()).isEqualTo("http");
  }

  @Test
  void keepsAPodDisruptionBudgetOverTheSamePods() {
    PodDisruptionBudget budget = defaults.one(PodDisruptionBudget.class);
    assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(budget.getSpec().getMinAvailable()).isNull();
    assertThat(budget.getSpec().getSelector().getMatchLabels())
        .isEqualTo(defaults.one(Deployment.class).getSpec().getSelector().getMatchLabels());

    PodDisruptionBudget fullBudget = full.one(PodDisruptionBudget.class);
    assertThat(fullBudget.getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
    assertThat(fullBudget.getSpec().getMaxUnavailable()).isNull();
  }

  @Test
  void placesPodsAsTheSchedulingValuesSay() {
    var pod = full.one(Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(pod.getAffinity().getPodAntiAffinity()).isNotNull();
    assertThat(pod.getTopologySpreadConstraints()).singleElement()
        .satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone"));
    assertThat(pod.getPriorityClassName()).isEqualTo("live-critical");
    assertThat(pod.getImagePullSecrets()).singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("registry-credentials"));
    assertThat(full.one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("example.com/cost-center", "live");
  }
}
