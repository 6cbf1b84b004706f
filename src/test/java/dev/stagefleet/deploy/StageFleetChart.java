package dev.stagefleet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The StageFleet Helm chart as the tests see it: linted and rendered by Helm itself (helm-java), parsed into objects. */
final class StageFleetChart {
  static final Path DIRECTORY = Path.of("deploy/helm/stagefleet");
  static final Path FULL_VALUES = DIRECTORY.resolve("ci/full-values.yaml");
  static final String RELEASE = "live";
  static final String NAMESPACE = "stagefleet";
  /** helm-java renders for Kubernetes v1.20 unless told otherwise; the chart requires 1.25 or newer. */
  static final String KUBE_VERSION = "v1.31.0";

  private static final YAMLMapper YAML = new YAMLMapper();

  private StageFleetChart() {
  }

  /** Renders the chart with its default values plus {@code --set} overrides (keys as Helm paths). */
  static Rendered render(Map<String, Object> sets) {
    return render(null, sets);
  }

  /** Renders the chart with a values file (or none) plus {@code --set} overrides. */
  static Rendered render(Path valuesFile, Map<String, Object> sets) {
    return render(RELEASE, valuesFile, sets);
  }

  /** Renders the chart as the named release, with a values file (or none) plus {@code --set} overrides. */
  static Rendered render(String release, Path valuesFile, Map<String, Object> sets) {
    return render(DIRECTORY, release, valuesFile, sets);
  }

  /**
   * Renders the chart as for a cluster that serves the Prometheus Operator's ServiceMonitor CRD, i.e.
   * {@code helm template --api-versions monitoring.coreos.com/v1/ServiceMonitor}. helm-java cannot pass
   * {@code --api-versions}, so this renders a copy of the chart whose one Capabilities check of that API is true.
   */
  static Rendered renderWithServiceMonitorCrd(Path valuesFile, Map<String, Object> sets) {
    return render(withServiceMonitorCrd(DIRECTORY), RELEASE, valuesFile, sets);
  }

  static final String SERVICE_MONITOR_CHECK = ".Capabilities.APIVersions.Has \"monitoring.coreos.com/v1/ServiceMonitor\"";

  /** A copy of {@code chart} in a temporary directory, as if the cluster served the ServiceMonitor CRD. */
  static Path withServiceMonitorCrd(Path chart) {
    try {
      Path copy = copy(chart, Files.createTempDirectory("stagefleet-chart"));
      Path template = copy.resolve("templates/servicemonitor.yaml");
      String text = Files.readString(template);
      if (text.split(java.util.regex.Pattern.quote(SERVICE_MONITOR_CHECK), -1).length != 2) {
        throw new AssertionError("servicemonitor.yaml must check " + SERVICE_MONITOR_CHECK + " exactly once");
      }
      Files.writeString(template, text.replace(SERVICE_MONITOR_CHECK, "true"));
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path copy(Path chart, Path scratch) throws IOException {
    Path copy = scratch.resolve("stagefleet");
    try (Stream<Path> files = Files.walk(chart)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path target = copy.resolve(chart.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
    return copy;
  }

  private static Rendered render(Path chart, String release, Path valuesFile, Map<String, Object> sets) {
    TemplateCommand template = new Helm(chart).template().withName(release).withNamespace(NAMESPACE)
        .withKubeVersion(KUBE_VERSION);
    if (valuesFile != null) {
      template = template.withValuesFile(valuesFile);
    }
    for (Map.Entry<String, Object> set : sets.entrySet()) {
      template = template.set(set.getKey(), set.getValue());
    }
    return Rendered.parse(template.call());
  }

  /** {@code helm lint --strict} of the chart with its own values.yaml. */
  static LintResult lintStrict() {
    return new Helm(DIRECTORY).lint().strict().call();
  }

  /**
   * {@code helm lint --strict} with a values file laid over the defaults. helm-java's lint takes no values file, so
   * this lints a copy of the chart whose values.yaml is the defaults merged with the file.
   */
  static LintResult lintStrict(Path valuesFile, Path scratch) {
    try {
      Path copy = copy(withServiceMonitorCrd(DIRECTORY), scratch);
      JsonNode merged = merge(YAML.readTree(DIRECTORY.resolve("values.yaml").toFile()), YAML.readTree(valuesFile.toFile()));
      YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Helm's value merging: maps merge key by key, anything else in the overlay replaces the default. */
  private static JsonNode merge(JsonNode defaults, JsonNode overlay) {
    if (!(defaults instanceof ObjectNode base) || !overlay.isObject()) {
      return overlay;
    }
    ObjectNode result = base.deepCopy();
    overlay.fields().forEachRemaining(e -> result.set(e.getKey(),
        result.has(e.getKey()) ? merge(result.get(e.getKey()), e.getValue()) : e.getValue()));
    return result;
  }

  /** The objects one {@code helm template} produced, typed by fabric8 (unknown kinds as generic resources). */
  record Rendered(List<HasMetadata> objects, List<JsonNode> documents) {
    static Rendered parse(String manifests) {
      List<HasMetadata> objects = new ArrayList<>();
      List<JsonNode> raw = new ArrayList<>();
      try (var documents = YAML.readValues(YAML.createParser(manifests), JsonNode.class)) {
        while (documents.hasNext()) {
          JsonNode document = documents.next();
          if (document != null && !document.isNull() && !document.isEmpty()) {
            raw.add(document);
            objects.add(Serialization.unmarshal(document.toString(), HasMetadata.class));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Rendered(List.copyOf(objects), List.copyOf(raw));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The one object of a type; fails when there are none or several. */
    <T extends HasMetadata> T one(Class<T> type) {
      List<T> found = all(type);
      if (found.size() != 1) {
        throw new AssertionError("expected exactly one " + type.getSimpleName() + " but the chart rendered "
            + found.size());
      }
      return found.get(0);
    }

    List<HasMetadata> ofKind(String kind) {
      return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    /** Kind and name of every object, for readable failure messages. */
    Map<String, String> summary() {
      Map<String, String> summary = new LinkedHashMap<>();
      objects.forEach(o -> summary.put(o.getKind() + "/" + o.getMetadata().getNamespace() + "/"
          + o.getMetadata().getName(), o.getApiVersion()));
      return summary;
    }
  }
}
