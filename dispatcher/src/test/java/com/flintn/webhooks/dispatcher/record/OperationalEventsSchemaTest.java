package com.flintn.webhooks.dispatcher.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.event.OperationalEvents;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operational webhooks Flintn builds match the schemas it publishes for them, so an
 * installation with {@code events.validate-schemas} on still delivers them (docs/design.md §4.1),
 * and their envelope is one the dispatcher's strict parser takes.
 */
class OperationalEventsSchemaTest {
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final OperationalEvents.Subject SUBJECT =
      new OperationalEvents.Subject(
          EndpointId.of("ep_1"), AccountId.of("acc_1"), "Orders", "https://example.com/hook");
  private static final Instant AT = Instant.parse("2026-11-27T10:00:00.123Z");

  private static Schema schema(String type) {
    Schema s = REGISTRY.getSchema(OperationalEvents.schema(type).toString(), InputFormat.JSON);
    s.initializeValidators();
    return s;
  }

  @Test
  void builtEventsMatchTheirPublishedSchemasAndParseAsEnvelopes() throws Exception {
    List<Event> built =
        List.of(
            OperationalEvents.failing(
                SUBJECT,
                60,
                3,
                5,
                new OperationalEvents.LastFailure(EventId.of("evt_a"), 503, null),
                AT,
                "t/0/1"),
            OperationalEvents.failing(
                SUBJECT,
                80,
                4,
                5,
                new OperationalEvents.LastFailure(EventId.of("evt_a"), null, "timeout"),
                AT,
                "t/0/2"),
            OperationalEvents.disabled(
                SUBJECT,
                "attempts_exhausted",
                new OperationalEvents.LastFailure(EventId.of("evt_a"), 500, null),
                AT,
                "t/0/3"));
    for (Event e : built) {
      assertThat(schema(e.eventType()).validate(e.data().toString(), InputFormat.JSON))
          .as(e.eventType())
          .isEmpty();
      assertThat(OperationalEvents.subject(e)).isEqualTo("ep_1");
      Event again = Json.mapper().readValue(Json.bytes(e), Event.class);
      assertThat(again).isEqualTo(e);
    }
    assertThat(built).extracting(Event::eventId).doesNotHaveDuplicates();
    assertThat(OperationalEvents.failing(SUBJECT, 60, 3, 5, null, AT, "t/0/1").eventId())
        .as("the same record makes the same event id")
        .isEqualTo(built.get(0).eventId());

    var missing = built.get(0).data().deepCopy();
    missing.remove("endpoint_id");
    assertThat(
            schema(OperationalEvents.ENDPOINT_FAILING)
                .validate(missing.toString(), InputFormat.JSON))
        .isNotEmpty();
  }

  @Test
  void onlyOperationalTypesHaveASubject() {
    Event order =
        new Event(
            EventId.of("evt_x"),
            "order.created",
            AccountId.of("acc_1"),
            "2026-11-27T10:00:00Z",
            Json.mapper().createObjectNode().put("endpoint_id", "ep_1"));
    assertThat(OperationalEvents.subject(order)).isNull();
    assertThat(OperationalEvents.isReserved("webhook.test")).isTrue();
    assertThat(OperationalEvents.isOperational("webhook.test")).isFalse();
  }
}
