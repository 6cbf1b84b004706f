package dev.stagefleet.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Values of {@code spec.fanOut}: how the broadcaster's one camera feed reaches every stage. */
public enum FanOut {
  /** The broadcaster publishes into every stage (the seed design: one upload per stage). */
  @JsonProperty("direct") DIRECT,
  /** The broadcaster publishes into origin stages only; IVS replicates each origin into up to five more stages. */
  @JsonProperty("replicated") REPLICATED
}
