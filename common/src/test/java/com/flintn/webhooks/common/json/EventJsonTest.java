package com.flintn.webhooks.common.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.event.EventCorpus;
import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.event.ParsedEvent;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.Origin;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The envelope's hand-written JSON against what Jackson's bean serializer makes of its record. */
class EventJsonTest {
  private static List<Event> events() {
    EventParser parser = new EventParser(EventParser.DEFAULT_MAX_BYTES);
    List<Event> all = new ArrayList<>();
    for (String text : EventCorpus.envelopes()) {
      if (parser.parse(text.getBytes(StandardCharsets.UTF_8)) instanceof ParsedEvent.Valid v) {
        all.add(v.event());
      }
    }
    return all;
  }

  @Test
  void writesEveryEventAsTheBeanSerializerDid() {
    List<Event> events = events();
    assertThat(events).hasSizeGreaterThan(300);
    for (Event e : events) {
      assertThat(new String(Json.bytes(e), StandardCharsets.UTF_8))
          .isEqualTo(new String(BeanEventJson.bytes(e), StandardCharsets.UTF_8));
      assertThat(Json.bytes(e)).isEqualTo(BeanEventJson.bytes(e));
    }
  }

  @Test
  void writesTheEventInsideADeliveryRecordAsBefore() {
    int k = 0;
    for (Event e : events()) {
      Delivery first =
          Delivery.first(e, EndpointId.of("ep_" + k % 7), new Origin("webhooks.events", 3, k));
      Delivery retry = first.next(Instant.parse("2026-12-06T14:00:00.123Z"), "http_503");
      for (Delivery d : List.of(first, retry)) {
        assertThat(Json.bytes(d)).isEqualTo(BeanEventJson.bytes(d));
      }
      k++;
    }
  }

  @Test
  void aRetryPostsTheBodyOfTheFirstAttempt() {
    EventParser parser = new EventParser(EventParser.DEFAULT_MAX_BYTES);
    var serde = new JsonSerde<>(Delivery.class);
    int checked = 0;
    for (String text : EventCorpus.envelopes()) {
      if (parser.parse(text.getBytes(StandardCharsets.UTF_8)) instanceof ParsedEvent.Valid v) {
        Delivery d = Delivery.first(v.event(), EndpointId.of("ep_1"), null);
        Delivery back = serde.deserialize("t", serde.serialize("t", d));
        assertThat(Json.bytes(back.event())).isEqualTo(v.body());
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(300);
  }
}
