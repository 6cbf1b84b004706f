package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.deploy.StageFleetChart.Rendered;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The chart grants StageFleet exactly what it uses, as Roles or ClusterRoles by the watched namespaces. */
@Tag("chart")
class HelmChartRbacTest {
  static final String NAMESPACE = StageFleetChart.NAMESPACE;

  /** A rule reduced to comparable text: "apiGroups | resources | resourceNames | verbs". */
  static final List<String> WATCHED_NAMESPACE_RULES = List.of(
      "live.stagefleet.dev | livebroadcasts | - | get,list,watch,patch",
      "live.stagefleet.dev | livebroadcasts/status | - | patch",
      " | secrets | - | list,watch",
      " | events | - | create,patch");
  static final List<String> LEASE_RULES = List.of("coordination.k8s.io | leases | - | get,create,patch");

  static Rendered allNamespaces;
  static Rendered twoNamespaces;

  @BeforeAll
  static void render() {
    allNamespaces = StageFleetChart.render(Map.of());
    twoNamespaces = StageFleetChart.render(Map.of("watchNamespaces[0]", "shows", "watchNamespaces[1]", "events-team"));
  }

  static List<String> rules(List<PolicyRule> rules) {
    return rules.stream().map(r -> String.join(",", r.getApiGroups()) + " | " + String.join(",", r.getResources())
        + " | " + (r.getResourceNames() == null || r.getResourceNames().isEmpty() ? "-" : String.join(",", r.getResourceNames()))
        + " | " + String.join(",", r.getVerbs())).toList();
  }

  static Role role(Rendered rendered, String namespace, String nameSuffix) {
    return rendered.all(Role.class).stream()
        .filter(r -> r.getMetadata().getNamespace().equals(namespace) && r.getMetadata().getName().endsWith(nameSuffix))
        .findFirst().orElseThrow(() -> new AssertionError("no Role *" + nameSuffix + " in " + namespace
            + "; rendered " + rendered.summary().keySet()));
  }

  static void assertBoundToTheServiceAccount(Rendered rendered, List<Subject> subjects) {
    ServiceAccount account = rendered.one(ServiceAccount.class);
    assertThat(subjects).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
      assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
    });
  }

  @Test
  void grantsExactlyTheNeededRulesClusterWideWhenEveryNamespaceIsWatched() {
    ClusterRole clusterRole = allNamespaces.one(ClusterRole.class);
    ClusterRoleBinding binding = allNamespaces.one(ClusterRoleBinding.class);

    assertThat(rules(clusterRole.getRules())).containsExactlyElementsOf(WATCHED_NAMESPACE_RULES);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(clusterRole.getMetadata().getName());
    assertBoundToTheServiceAccount(allNamespaces, binding.getSubjects());
    assertThat(allNamespaces.all(Role.class)).extracting(r -> r.getMetadata().getNamespace()).containsOnly(NAMESPACE);
  }

  @Test
  void grantsTheSameRulesAsOneRolePerWatchedNamespaceAndNoClusterRole() {
    assertThat(twoNamespaces.all(ClusterRole.class)).isEmpty();
    assertThat(twoNamespaces.all(ClusterRoleBinding.class)).isEmpty();

    for (String namespace : List.of("shows", "events-team")) {
      Role role = role(twoNamespaces, namespace, "stagefleet");
      assertThat(rules(role.getRules())).containsExactlyElementsOf(WATCHED_NAMESPACE_RULES);
      RoleBinding binding = twoNamespaces.all(RoleBinding.class).stream()
          .filter(b -> b.getMetadata().getNamespace().equals(namespace)).findFirst().orElseThrow();
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
      assertBoundToTheServiceAccount(twoNamespaces, binding.getSubjects());
    }
    assertThat(twoNamespaces.all(Role.class)).extracting(r -> r.getMetadata().getNamespace())
        .containsOnly("shows", "events-team", NAMESPACE);
  }

  @Test
  void grantsLeasesOnlyInTheReleaseNamespace() {
    for (Rendered rendered : List.of(allNamespaces, twoNamespaces)) {
      Role leases = role(rendered, NAMESPACE, "-leader-election");
      assertThat(rules(leases.getRules())).containsExactlyElementsOf(LEASE_RULES);
      RoleBinding binding = rendered.all(RoleBinding.class).stream()
          .filter(b -> b.getRoleRef().getName().equals(leases.getMetadata().getName())).findFirst().orElseThrow();
      assertThat(binding.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
      assertBoundToTheServiceAccount(rendered, binding.getSubjects());
    }
  }

  @Test
  void grantsReadOfTheTokenKeyByNameAndOnlyInSelfSignedMode() {
    Role key = role(allNamespaces, NAMESPACE, "-token-key");
    assertThat(rules(key.getRules())).containsExactly(" | secrets | stagefleet-token-key | list,watch");

    Rendered elsewhere = StageFleetChart.render(Map.of(
        "tokens.keySecret.name", "ivs-key", "tokens.keySecret.namespace", "keys"));
    assertThat(rules(role(elsewhere, "keys", "-token-key").getRules()))
        .containsExactly(" | secrets | ivs-key | list,watch");

    Rendered apiMode = StageFleetChart.render(Map.of("tokens.mode", "api"));
    assertThat(apiMode.all(Role.class)).noneMatch(r -> r.getMetadata().getName().endsWith("-token-key"));
  }

  @Test
  void neverGrantsWildcardsNorWritesToSecrets() {
    List<PolicyRule> every = Stream.of(allNamespaces, twoNamespaces)
        .flatMap(r -> Stream.concat(r.all(Role.class).stream().flatMap(role -> role.getRules().stream()),
            r.all(ClusterRole.class).stream().flatMap(role -> role.getRules().stream())))
        .toList();

    assertThat(every).isNotEmpty().allSatisfy(rule -> {
      assertThat(rule.getVerbs()).doesNotContain("*", "delete", "deletecollection", "escalate", "bind", "impersonate");
      assertThat(rule.getResources()).doesNotContain("*");
      assertThat(rule.getApiGroups()).doesNotContain("*");
      assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
      if (rule.getResources().contains("secrets")) {
        assertThat(rule.getVerbs()).containsExactly("list", "watch");
      }
    });
  }

  @Test
  void createsNoRbacWhenAskedNotTo() {
    Rendered rendered = StageFleetChart.render(Map.of("rbac.create", false));

    assertThat(rendered.all(Role.class)).isEmpty();
    assertThat(rendered.all(RoleBinding.class)).isEmpty();
    assertThat(rendered.all(ClusterRole.class)).isEmpty();
    assertThat(rendered.all(ClusterRoleBinding.class)).isEmpty();
  }
}
