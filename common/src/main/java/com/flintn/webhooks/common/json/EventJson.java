package com.flintn.webhooks.common.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.flintn.webhooks.common.message.Event;
import java.io.IOException;
import java.io.Serial;

/**
 * The event envelope's JSON, written field by field: the body every delivery of an event POSTs and
 * signs, and the event inside every delivery record (docs/design.md §12). Jackson's bean handling
 * reads each accessor by reflection; the dispatcher writes one body per event it reads. The wire
 * form is exactly what the annotations on {@link Event} describe (same fields, same order, data
 * written as its tree), and tests compare the two byte for byte.
 */
final class EventJson {
  private EventJson() {}

  static SimpleModule module() {
    SimpleModule m = new SimpleModule("event-envelopes");
    m.addSerializer(Event.class, new Writer());
    return m;
  }

  static final class Writer extends StdSerializer<Event> {
    @Serial private static final long serialVersionUID = 1L;

    Writer() {
      super(Event.class);
    }

    @Override
    public void serialize(Event e, JsonGenerator g, SerializerProvider provider)
        throws IOException {
      g.writeStartObject(e);
      g.writeStringField("event_id", e.eventId().value());
      g.writeStringField("event_type", e.eventType());
      g.writeStringField("account_id", e.accountId().value());
      g.writeStringField("created_at", e.createdAt());
      g.writeFieldName("data");
      // What the bean serializer does with a JsonNode property: the node writes itself.
      e.data().serialize(g, provider);
      g.writeEndObject();
    }
  }
}
