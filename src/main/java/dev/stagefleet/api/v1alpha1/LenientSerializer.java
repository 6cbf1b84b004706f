package dev.stagefleet.api.v1alpha1;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsonFormatVisitors.JsonFormatVisitorWrapper;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Writes a LiveBroadcast's spec or status; one {@link LenientDeserializer} could not read goes out as the JSON it was
 * read from, never as the defaults its marker object holds.
 */
final class LenientSerializer extends StdSerializer<Object> {
  LenientSerializer() {
    super(Object.class);
  }

  /** The schema is the type's own: the CRD generator reads it through this visitor. */
  @Override
  public void acceptJsonFormatVisitor(JsonFormatVisitorWrapper visitor, JavaType type) throws JsonMappingException {
    visitor.getProvider().findValueSerializer(type).acceptJsonFormatVisitor(visitor, type);
  }

  @Override
  public void serialize(Object value, JsonGenerator generator, SerializerProvider provider) throws IOException {
    JsonNode raw = value instanceof LenientlyRead read ? read.rawWhenUnreadable() : null;
    if (raw != null) {
      generator.writeTree(raw);
    } else {
      // the type's own bean serializer: this one is attached to the property, not to the class
      provider.defaultSerializeValue(value, generator);
    }
  }
}
