package dev.stagefleet.api.v1alpha1;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A live broadcast fanned out over as many IVS real-time stages as its audience needs. */
@Group(LiveBroadcast.GROUP)
@Version(LiveBroadcast.VERSION)
@Kind("LiveBroadcast")
@Plural("livebroadcasts")
@Singular("livebroadcast")
@ShortNames("lbc")
@Categories("stagefleet")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Stages", jsonPath = ".status.readyStages", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".status.desiredStages", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Viewers", jsonPath = ".status.viewers", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Waiting", jsonPath = ".status.waiting", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class LiveBroadcast extends CustomResource<LiveBroadcastSpec, LiveBroadcastStatus> implements Namespaced {
  public static final String GROUP = "live.stagefleet.dev";
  public static final String VERSION = "v1alpha1";
  public static final String CRD_NAME = "livebroadcasts." + GROUP;
  /** Annotation choosing what happens to the stages when the resource is deleted: {@code delete} (default) or {@code retain}. */
  public static final String DELETION_POLICY_ANNOTATION = GROUP + "/deletion-policy";
  public static final String FINALIZER = GROUP + "/stages";

  /**
   * No spec until one is set or read: java-operator-sdk builds fresh instances for its own patches (the finalizer),
   * and a defaults-filled spec there would be applied over the user's.
   */
  @Override
  protected LiveBroadcastSpec initSpec() {
    return null;
  }

  @Override
  protected LiveBroadcastStatus initStatus() {
    return null;
  }

  @Override
  @JsonSerialize(using = LenientSerializer.class)
  public LiveBroadcastSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonSerialize(using = LenientSerializer.class)
  public LiveBroadcastStatus getStatus() {
    return super.getStatus();
  }

  @Override
  @JsonDeserialize(using = LenientDeserializer.Spec.class)
  public void setSpec(LiveBroadcastSpec spec) {
    super.setSpec(spec);
  }

  @Override
  @JsonDeserialize(using = LenientDeserializer.Status.class)
  public void setStatus(LiveBroadcastStatus status) {
    super.setStatus(status);
  }

  /**
   * A broadcast that only names itself, for {@code client.resource(named(...))...patch(context, body)}: fabric8 reads
   * the whole object from the API server before a patch given as text unless the operation has an object, and it
   * takes only the namespace and name from it. A write then costs one round trip instead of two.
   */
  public static LiveBroadcast named(String namespace, String name) {
    LiveBroadcast broadcast = new LiveBroadcast();
    broadcast.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    return broadcast;
  }

  /** True when the deletion-policy annotation asks to keep the stages. */
  public boolean retainsStagesOnDelete() {
    var annotations = getMetadata() == null ? null : getMetadata().getAnnotations();
    return annotations != null && "retain".equalsIgnoreCase(annotations.get(DELETION_POLICY_ANNOTATION));
  }
}
