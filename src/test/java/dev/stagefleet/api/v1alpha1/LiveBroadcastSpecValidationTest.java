package dev.stagefleet.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec.Broadcaster;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec.SecretKeyRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

@Tag("unit")
class LiveBroadcastSpecValidationTest {

  static LiveBroadcastSpec valid() {
    var spec = new LiveBroadcastSpec();
    var b = new Broadcaster();
    b.setApiKeySecretRef(new SecretKeyRef("show-key", "apiKey"));
    spec.setBroadcaster(b);
    return spec;
  }

  @Test
  void defaultsAreValid() {
    assertThat(valid().validate()).isEmpty();
  }

  static Stream<Arguments> violations() {
    return Stream.of(
        Arguments.of("viewersPerStage 0", (Consumer<LiveBroadcastSpec>) s -> s.setViewersPerStage(0),
            "spec.viewersPerStage must be between 1 and 10000, but is 0"),
        Arguments.of("viewersPerStage 10001", (Consumer<LiveBroadcastSpec>) s -> s.setViewersPerStage(10001),
            "spec.viewersPerStage must be between 1 and 10000, but is 10001"),
        Arguments.of("minStages 0", (Consumer<LiveBroadcastSpec>) s -> s.setMinStages(0),
            "spec.minStages must be between 1 and 1000, but is 0"),
        Arguments.of("maxStages 1001", (Consumer<LiveBroadcastSpec>) s -> s.setMaxStages(1001),
            "spec.maxStages must be between 1 and 1000, but is 1001"),
        Arguments.of("min > max", (Consumer<LiveBroadcastSpec>) s -> { s.setMinStages(5); s.setMaxStages(3); },
            "spec.minStages (5) must not exceed spec.maxStages (3)"),
        Arguments.of("targetFill 0.05", (Consumer<LiveBroadcastSpec>) s -> s.getScaling().setTargetFill(0.05),
            "spec.scaling.targetFill must be between 0.1 and 1, but is 0.05"),
        Arguments.of("targetFill 1.5", (Consumer<LiveBroadcastSpec>) s -> s.getScaling().setTargetFill(1.5),
            "spec.scaling.targetFill must be between 0.1 and 1, but is 1.5"),
        Arguments.of("stabilization -1",
            (Consumer<LiveBroadcastSpec>) s -> s.getScaling().setScaleDownStabilizationSeconds(-1),
            "spec.scaling.scaleDownStabilizationSeconds must be between 0 and 86400, but is -1"),
        Arguments.of("drain -1", (Consumer<LiveBroadcastSpec>) s -> s.getScaling().setDrainTimeoutSeconds(-1),
            "spec.scaling.drainTimeoutSeconds must be between 0 and 86400, but is -1"),
        Arguments.of("publish ttl 0", (Consumer<LiveBroadcastSpec>) s -> s.getTokens().setPublishTtlMinutes(0),
            "spec.tokens.publishTtlMinutes must be between 1 and 20160, but is 0"),
        Arguments.of("subscribe ttl 20161",
            (Consumer<LiveBroadcastSpec>) s -> s.getTokens().setSubscribeTtlMinutes(20161),
            "spec.tokens.subscribeTtlMinutes must be between 1 and 20160, but is 20161"),
        Arguments.of("no broadcaster", (Consumer<LiveBroadcastSpec>) s -> s.setBroadcaster(null),
            "spec.broadcaster is required (it names the Secret holding the broadcaster's API key)"),
        Arguments.of("no secret ref", (Consumer<LiveBroadcastSpec>) s -> s.getBroadcaster().setApiKeySecretRef(null),
            "spec.broadcaster.apiKeySecretRef is required (name and key of the Secret holding the API key)"),
        Arguments.of("bad secret name",
            (Consumer<LiveBroadcastSpec>) s -> s.getBroadcaster().getApiKeySecretRef().setName("Bad_Name"),
            "spec.broadcaster.apiKeySecretRef.name \"Bad_Name\" is not a valid Secret name"),
        Arguments.of("secret name of 254 characters",
            (Consumer<LiveBroadcastSpec>) s -> s.getBroadcaster().getApiKeySecretRef().setName("a".repeat(254)),
            "spec.broadcaster.apiKeySecretRef.name \"" + "a".repeat(254) + "\" is not a valid Secret name"),
        Arguments.of("empty secret key",
            (Consumer<LiveBroadcastSpec>) s -> s.getBroadcaster().getApiKeySecretRef().setKey(""),
            "spec.broadcaster.apiKeySecretRef.key must not be empty"),
        Arguments.of("secret key with a slash",
            (Consumer<LiveBroadcastSpec>) s -> s.getBroadcaster().getApiKeySecretRef().setKey("a/b"),
            "spec.broadcaster.apiKeySecretRef.key \"a/b\" is not a valid Secret key (letters, digits, -, _ and .)"),
        Arguments.of("empty user id", (Consumer<LiveBroadcastSpec>) s -> s.getBroadcaster().setUserId(""),
            "spec.broadcaster.userId must be 1 to 128 characters long"),
        Arguments.of("bad region", (Consumer<LiveBroadcastSpec>) s -> s.setRegion("mars"),
            "spec.region \"mars\" is not an AWS region name such as us-east-1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void eachBoundViolatedGivesItsOwnMessage(String name, Consumer<LiveBroadcastSpec> breakIt, String message) {
    var spec = valid();
    breakIt.accept(spec);
    assertThat(spec.validate()).containsExactly(message);
  }

  @Test
  void reportsEveryViolationAtOnce() {
    var spec = valid();
    spec.setViewersPerStage(0);
    spec.setMinStages(20);
    spec.getTokens().setPublishTtlMinutes(0);
    assertThat(spec.validate()).hasSize(3);
  }

  @Test
  void absentFieldsTakeTheSchemaDefaults() throws Exception {
    var lb = Serialization.unmarshal("""
        apiVersion: live.stagefleet.dev/v1alpha1
        kind: LiveBroadcast
        metadata: {name: x, namespace: y}
        spec:
          broadcaster: {apiKeySecretRef: {name: k}}
        """, LiveBroadcast.class);
    var spec = lb.getSpec();
    assertThat(spec.getViewersPerStage()).isEqualTo(50);
    assertThat(spec.getMaxStages()).isEqualTo(10);
    assertThat(spec.getScaling().getTargetFill()).isEqualTo(0.8);
    assertThat(spec.getTokens().getSubscribeTtlMinutes()).isEqualTo(720);
    assertThat(spec.getBroadcaster().getApiKeySecretRef().getKey()).isEqualTo("apiKey");
    assertThat(spec.getBroadcaster().getUserId()).isEqualTo("broadcaster");
    assertThat(spec.getFanOut()).isEqualTo(FanOut.REPLICATED);
    assertThat(spec.validate()).isEmpty();
  }

  @Test
  void fanOutReadsItsLowerCaseNamesAndAnUnknownOneMakesTheSpecUnreadable() {
    String yaml = """
        apiVersion: live.stagefleet.dev/v1alpha1
        kind: LiveBroadcast
        metadata: {name: x, namespace: y}
        spec:
          broadcaster: {apiKeySecretRef: {name: k}}
          fanOut: %s
        """;
    assertThat(Serialization.unmarshal(yaml.formatted("replicated"), LiveBroadcast.class).getSpec().getFanOut())
        .isEqualTo(FanOut.REPLICATED);
    var mesh = Serialization.unmarshal(yaml.formatted("mesh"), LiveBroadcast.class).getSpec();
    assertThat(mesh.validate()).singleElement().asString().contains("spec.fanOut");
    var spec = valid();
    spec.setFanOut(null);
    assertThat(spec.validate()).containsExactly("spec.fanOut must be direct or replicated");
    assertThat(Serialization.asJson(valid())).contains("\"fanOut\":\"replicated\"");
  }

  @Test
  void fieldsFromNewerVersionsAreIgnoredNotFatal() {
    // a real API server prunes unknown fields; an unpruned one (the mock server) must not break every informer
    var lb = Serialization.unmarshal("""
        apiVersion: live.stagefleet.dev/v1alpha1
        kind: LiveBroadcast
        metadata: {name: x, namespace: y}
        spec:
          broadcaster: {apiKeySecretRef: {name: k, future: 1}}
          futureField: true
        status:
          stages:
          - id: s1
            endpoints: {events: "wss://e", whip: "https://w", rtmp: "rtmp://r"}
        """, LiveBroadcast.class);
    assertThat(lb.getStatus().getStages().get(0).getEndpoints().getEvents()).isEqualTo("wss://e");
  }

  @ParameterizedTest
  @ValueSource(strings = {"deploy/examples/minimal.yaml", "deploy/examples/full.yaml"})
  void examplesParseValidateAndShipNoKeyButTheCommandThatMakesOne(String file) throws Exception {
    Object parsed = Serialization.unmarshal(Files.newInputStream(Path.of(file)));
    List<HasMetadata> objects = parsed instanceof List<?> many ? many.stream().map(HasMetadata.class::cast).toList()
        : List.of((HasMetadata) parsed);
    var broadcasts = objects.stream().filter(LiveBroadcast.class::isInstance).map(LiveBroadcast.class::cast).toList();
    assertThat(broadcasts).hasSize(1);
    assertThat(broadcasts.get(0).getSpec().validate()).isEmpty();
    var ref = broadcasts.get(0).getSpec().getBroadcaster().getApiKeySecretRef();
    // no usable key ships: the user creates the Secret with a key of their own, as the file shows
    assertThat(objects).noneMatch(o -> o.getKind().equals("Secret"));
    assertThat(Files.readString(Path.of(file))).contains(
        "kubectl create secret generic " + ref.getName() + " -n shows --from-literal=" + ref.getKey()
            + "=$(openssl rand -hex 24)",
        "kubectl label secret " + ref.getName() + " -n shows stagefleet.dev/gateway-readable=true");
  }
}
