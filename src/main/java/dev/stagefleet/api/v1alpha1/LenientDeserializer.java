package dev.stagefleet.api.v1alpha1;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Reads a LiveBroadcast's spec or status so that a value of the wrong type (a string where a number belongs, from an
 * API server without the CRD's schema or a tampered object) becomes a marker naming the problem instead of an
 * exception: one unreadable object must not fail the whole list or watch that every other broadcast arrives in. The
 * marker keeps the stored JSON, and {@link LenientSerializer} writes it back unchanged, so a copy (java-operator-sdk
 * clones every resource it hands out through JSON) is unreadable for the same reason.
 */
abstract class LenientDeserializer<T extends LenientlyRead> extends StdDeserializer<T> {
  private final Supplier<T> marker;
  private final String root;

  LenientDeserializer(Class<T> type, String root, Supplier<T> marker) {
    super(type);
    this.root = root;
    this.marker = marker;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JsonNode tree = context.readTree(parser);
    try {
      // the type's own bean deserializer: this one is attached to the property, not to the class
      return context.readTreeAsValue(tree, (Class<T>) handledType());
    } catch (JsonMappingException e) {
      T unreadable = marker.get();
      unreadable.markUnreadable(describe(e), tree);
      return unreadable;
    }
  }

  /** "spec.maxStages: Cannot deserialize value of type `int` from String "ten": ...", without the parser's source. */
  private String describe(JsonMappingException e) {
    String path = e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining());
    return root + path + ": " + e.getOriginalMessage();
  }

  /** For {@code LiveBroadcast.spec}. */
  static final class Spec extends LenientDeserializer<LiveBroadcastSpec> {
    Spec() {
      super(LiveBroadcastSpec.class, "spec", LiveBroadcastSpec::new);
    }
  }

  /** For {@code LiveBroadcast.status}. */
  static final class Status extends LenientDeserializer<LiveBroadcastStatus> {
    Status() {
      super(LiveBroadcastStatus.class, "status", LiveBroadcastStatus::new);
    }
  }
}
