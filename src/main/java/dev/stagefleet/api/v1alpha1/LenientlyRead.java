package dev.stagefleet.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A spec or status as {@link LenientDeserializer} reads it: either what was stored, or a marker for JSON that could
 * not be read, holding why and the JSON itself (which {@link LenientSerializer} writes back unchanged).
 */
abstract class LenientlyRead {
  @JsonIgnore
  private String unreadable;
  @JsonIgnore
  private JsonNode raw;

  /** Turns this (fresh) object into the marker for {@code raw}, unreadable because of {@code why}. */
  final void markUnreadable(String why, JsonNode raw) {
    this.unreadable = why;
    this.raw = raw;
  }

  /** The stored JSON that could not be read; null for an object that was read. */
  final JsonNode rawWhenUnreadable() {
    return raw;
  }

  /** Why the stored JSON could not be read (a value of the wrong type), if it could not. */
  public final Optional<String> unreadableBecause() {
    return Optional.ofNullable(unreadable);
  }
}
