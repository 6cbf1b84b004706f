package dev.stagefleet.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The model reads an object with a value of the wrong type as an invalid one, so one such object fails no list. */
@Tag("unit")
class UnreadableObjectsTest {
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static String broadcast(String name, String spec, String status) {
    return "{\"apiVersion\":\"live.stagefleet.dev/v1alpha1\",\"kind\":\"LiveBroadcast\",\"metadata\":{\"name\":\""
        + name + "\",\"namespace\":\"shows\"},\"spec\":" + spec + (status == null ? "" : ",\"status\":" + status)
        + "}";
  }

  static final String GOOD_SPEC = "{\"maxStages\":4,\"broadcaster\":{\"apiKeySecretRef\":{\"name\":\"k\"}}}";

  @Test
  void aStringWhereANumberBelongsMakesTheSpecInvalidNamingTheField() {
    LiveBroadcast read = SERIALIZATION.unmarshal(broadcast("x",
        "{\"maxStages\":\"ten\",\"broadcaster\":{\"apiKeySecretRef\":{\"name\":\"k\"}}}", null), LiveBroadcast.class);
    assertThat(read.getMetadata().getName()).isEqualTo("x");
    assertThat(read.getSpec().unreadableBecause()).hasValueSatisfying(why ->
        assertThat(why).startsWith("spec.maxStages: ").contains("\"ten\""));
    assertThat(read.getSpec().validate()).singleElement().asString().startsWith("the spec cannot be read: spec.maxStages");
  }

  @Test
  void aCopyThroughJsonIsUnreadableForTheSameReasonAndKeepsTheStoredJson() {
    String stored = "{\"maxStages\":\"ten\",\"broadcaster\":{\"apiKeySecretRef\":{\"name\":\"k\"}}}";
    LiveBroadcast read = SERIALIZATION.unmarshal(broadcast("x", stored, "{\"viewers\":\"lots\"}"),
        LiveBroadcast.class);
    String written = SERIALIZATION.asJson(read);
    assertThat(written).contains(stored).contains("\"lots\"").doesNotContain("viewersPerStage");
    LiveBroadcast copy = SERIALIZATION.unmarshal(written, LiveBroadcast.class);
    assertThat(copy.getSpec().unreadableBecause()).isEqualTo(read.getSpec().unreadableBecause());
    assertThat(copy.getStatus().unreadableBecause()).isEqualTo(read.getStatus().unreadableBecause()).isPresent();
  }

  @Test
  void aListWithOneUnreadableItemStillReadsTheOthers() {
    String list = "{\"apiVersion\":\"live.stagefleet.dev/v1alpha1\",\"kind\":\"LiveBroadcastList\",\"items\":["
        + broadcast("bad", "{\"scaling\":{\"targetFill\":\"full\"}}", "{\"stages\":[{\"viewers\":\"many\"}]}")
        + "," + broadcast("good", GOOD_SPEC, "{\"readyStages\":2}") + "]}";
    var items = SERIALIZATION.unmarshal(list, LiveBroadcastList.class).getItems();
    assertThat(items).hasSize(2);
    assertThat(items.get(0).getSpec().unreadableBecause()).hasValueSatisfying(why ->
        assertThat(why).startsWith("spec.scaling.targetFill: "));
    assertThat(items.get(0).getStatus().unreadableBecause()).hasValueSatisfying(why ->
        assertThat(why).startsWith("status.stages[0].viewers: "));
    assertThat(items.get(1).getSpec().validate()).isEmpty();
    assertThat(items.get(1).getSpec().getMaxStages()).isEqualTo(4);
    assertThat(items.get(1).getStatus().getReadyStages()).isEqualTo(2);
  }

  /** The list type an informer reads. */
  static final class LiveBroadcastList extends io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList<LiveBroadcast> {
  }
}
