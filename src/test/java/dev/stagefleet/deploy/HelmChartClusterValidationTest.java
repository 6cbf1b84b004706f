package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every object the chart renders, for the default values and for realistic overrides, is one a cluster accepts: it
 * parses into fabric8's typed model with no field the model does not know, and its pods meet the Pod Security
 * "restricted" profile.
 */
@Tag("chart")
class HelmChartClusterValidationTest {
  /** fabric8's typed model for each kind the chart renders (the ServiceMonitor has none here; it is checked apart). */
  static final Map<String, Class<?>> MODEL = Map.of(
      "apps/v1 Deployment", Deployment.class,
      "v1 Service", Service.class,
      "v1 Secret", io.fabric8.kubernetes.api.model.Secret.class,
      "v1 ServiceAccount", ServiceAccount.class,
      "networking.k8s.io/v1 Ingress", Ingress.class,
      "policy/v1 PodDisruptionBudget", PodDisruptionBudget.class,
      "rbac.authorization.k8s.io/v1 ClusterRole", ClusterRole.class,
      "rbac.authorization.k8s.io/v1 ClusterRoleBinding", ClusterRoleBinding.class,
      "rbac.authorization.k8s.io/v1 Role", Role.class,
      "rbac.authorization.k8s.io/v1 RoleBinding", RoleBinding.class);

  /**
   * Jackson failing on unknown properties. fabric8's classes keep unknown fields in an "any setter"
   * (additionalProperties), which would swallow them, so it is removed from every bean deserializer.
   */
  static final ObjectMapper STRICT = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
      .registerModule(new SimpleModule().setDeserializerModifier(new BeanDeserializerModifier() {
        @Override
        public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
            BeanDeserializerBuilder builder) {
          builder.setAnySetter(null);
          return builder;
        }
      }));

  static Map<String, StageFleetChart.Rendered> scenarios() {
    Map<String, StageFleetChart.Rendered> scenarios = new LinkedHashMap<>();
    scenarios.put("defaults", StageFleetChart.render(Map.of()));
    scenarios.put("2 replicas, Ingress, ServiceMonitor, IRSA, api tokens", StageFleetChart.renderWithServiceMonitorCrd(
        null, Map.of("replicaCount", 2, "ingress.enabled", true, "ingress.className", "nginx",
            "serviceMonitor.enabled", true,
            "serviceAccount.irsaRoleArn", "arn:aws:iam::111122223333:role/stagefleet-ivs", "tokens.mode", "api")));
    scenarios.put("ci/full-values.yaml", StageFleetChart.renderWithServiceMonitorCrd(StageFleetChart.FULL_VALUES,
        Map.of()));
    return scenarios;
  }

  static List<String> scenarioNames() {
    return List.of("defaults", "2 replicas, Ingress, ServiceMonitor, IRSA, api tokens", "ci/full-values.yaml");
  }

  static final Map<String, StageFleetChart.Rendered> RENDERED = scenarios();

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarioNames")
  void everyObjectParsesIntoTheTypedModelWithNoUnknownField(String scenario) {
    var rendered = RENDERED.get(scenario);
    assertThat(rendered.documents()).isNotEmpty();
    for (JsonNode document : rendered.documents()) {
      String type = document.path("apiVersion").asText() + " " + document.path("kind").asText();
      if (type.equals("monitoring.coreos.com/v1 ServiceMonitor")) {
        assertServiceMonitorShape(document);
        continue;
      }
      assertThat(MODEL).as("a typed model for " + type).containsKey(type);
      try {
        STRICT.treeToValue(document, MODEL.get(type));
      } catch (Exception e) {
        throw new AssertionError(type + " " + document.at("/metadata/name").asText() + " in " + scenario
            + " has a field a cluster would not know: " + e.getMessage(), e);
      }
    }
  }

  @Test
  void theStrictParserRefusesAFieldTheModelDoesNotKnow() throws Exception {
    JsonNode misspelt = STRICT.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"x\"},"
        + "\"spec\":{\"sessionAffinty\":\"ClientIP\"}}");
    assertThatThrownBy(() -> STRICT.treeToValue(misspelt, Service.class)).hasMessageContaining("sessionAffinty");
  }

  /** The ServiceMonitor fields the chart writes, as the Prometheus Operator's v1 API names them. */
  static void assertServiceMonitorShape(JsonNode monitor) {
    assertThat(fieldNames(monitor.path("spec"))).isSubsetOf("endpoints", "namespaceSelector", "selector");
    monitor.path("spec").path("endpoints").forEach(endpoint ->
        assertThat(fieldNames(endpoint)).isSubsetOf("port", "path", "interval", "scrapeTimeout"));
  }

  static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new java.util.TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarioNames")
  void podsMeetThePodSecurityRestrictedProfile(String scenario) {
    PodSpec pod = RENDERED.get(scenario).one(Deployment.class).getSpec().getTemplate().getSpec();
    var podContext = pod.getSecurityContext();

    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
    assertThat(podContext.getSysctls()).isNullOrEmpty();
    // only the volume types the restricted profile allows, so no hostPath
    assertThat(pod.getVolumes()).allSatisfy(HelmChartClusterValidationTest::assertRestrictedVolume);
    List<Container> containers = new java.util.ArrayList<>(pod.getContainers());
    if (pod.getInitContainers() != null) {
      containers.addAll(pod.getInitContainers());
    }
    assertThat(containers).isNotEmpty().allSatisfy(container -> {
      var context = container.getSecurityContext();
      assertThat(context).as(container.getName()).isNotNull();
      assertThat(Boolean.TRUE.equals(context.getRunAsNonRoot()) || Boolean.TRUE.equals(podContext.getRunAsNonRoot()))
          .as("runAsNonRoot").isTrue();
      assertThat(context.getRunAsUser() == null ? podContext.getRunAsUser() : context.getRunAsUser())
          .as("runAsUser").isNotNull().isNotZero();
      assertThat(context.getAllowPrivilegeEscalation()).as("allowPrivilegeEscalation").isFalse();
      assertThat(context.getPrivileged()).as("privileged").isNotEqualTo(Boolean.TRUE);
      assertThat(context.getCapabilities().getDrop()).as("capabilities.drop").contains("ALL");
      assertThat(context.getCapabilities().getAdd()).as("capabilities.add").isNullOrEmpty();
      var seccomp = context.getSeccompProfile() != null ? context.getSeccompProfile() : podContext.getSeccompProfile();
      assertThat(seccomp).as("seccompProfile").isNotNull();
      assertThat(seccomp.getType()).isIn("RuntimeDefault", "Localhost");
      assertThat(context.getProcMount()).isNull();
      assertThat(container.getPorts()).allSatisfy(port -> assertThat(port.getHostPort()).as("hostPort").isNull());
    });
  }

  static void assertRestrictedVolume(Volume volume) {
    Map<String, Object> fields = STRICT.convertValue(volume, Map.class);
    fields.remove("name");
    assertThat(fields.keySet()).as(volume.getName()).isSubsetOf("configMap", "csi", "downwardAPI", "emptyDir",
        "ephemeral", "persistentVolumeClaim", "projected", "secret");
  }
}
