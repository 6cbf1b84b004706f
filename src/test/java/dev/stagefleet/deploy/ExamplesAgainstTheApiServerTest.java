package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.local.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every example in deploy/examples is accepted by an API server that holds the chart's CRD and validates as a cluster
 * does, and what is stored is what the example says (no field pruned away, the comments' defaults applied).
 */
class ExamplesAgainstTheApiServerTest {
  @Test
  void everyExampleIsAcceptedUnderTheChartsCrdWithoutLosingAField() throws Exception {
    try (var api = EmbeddedApiServer.start(0, Clock.systemUTC()); KubernetesClient client = api.newClient()) {
      CustomResourceDefinition crd;
      try (InputStream in = Files.newInputStream(ChartCrdTest.CHART_CRDS
          .resolve("livebroadcasts.live.stagefleet.dev-v1.yml"))) {
        crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      }
      client.resource(crd).delete();
      client.resource(crd).create();
      try (Stream<Path> examples = Files.list(Path.of("deploy/examples"))) {
        for (Path example : examples.sorted().toList()) {
          List<HasMetadata> objects = client.load(Files.newInputStream(example)).items();
          for (HasMetadata object : objects) {
            var stored = client.resource(object).inNamespace("default").create();
            var written = Serialization.jsonMapper().valueToTree(object);
            var kept = Serialization.jsonMapper().valueToTree(stored);
            if (object.getKind().equals("LiveBroadcast")) {
              assertThat(kept.path("spec").toString()).as(example + ": a field was pruned or changed")
                  .isEqualTo(merged(written.path("spec"), kept.path("spec")).toString());
              assertThat(kept.path("spec").path("viewersPerStage").isInt()).isTrue();
            }
          }
        }
      }
    }
  }

  /** The stored spec with every field the example wrote put back: equal to the stored one only if none was lost. */
  private static com.fasterxml.jackson.databind.JsonNode merged(com.fasterxml.jackson.databind.JsonNode written,
      com.fasterxml.jackson.databind.JsonNode stored) {
    var result = (com.fasterxml.jackson.databind.node.ObjectNode) stored.deepCopy();
    written.fields().forEachRemaining(f -> result.set(f.getKey(), f.getValue().isObject()
        ? merged(f.getValue(), stored.path(f.getKey())) : f.getValue()));
    return result;
  }
}
