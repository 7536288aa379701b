package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.eventtype.EventTypeWriter;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.EventType;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code events.validate-schemas}: events whose data does not match their type's schema in the
 * event-type catalogue go to the invalid-events topic with reason {@code schema_invalid}; others
 * (matching, no schema, not catalogued, a schema that cannot be used) are delivered.
 */
@Tag("broker")
class SchemaValidationTest {
  private static final String ORDER_SCHEMA =
      "{\"type\":\"object\",\"required\":[\"order\",\"amount\"],"
          + "\"properties\":{\"amount\":{\"type\":\"integer\",\"minimum\":0}}}";
  private final HttpsReceiver receiver = new HttpsReceiver();

  @AfterEach
  void close() {
    receiver.close();
  }

  @Test
  void anEventThatDoesNotMatchItsSchemaIsRefusedAsSchemaInvalid() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> invalid =
        run(Map.of(ConfigKey.EVENTS_VALIDATE_SCHEMAS, "true"));
    assertThat(receiver.received())
        .extracting(r -> r.header("X-Event-Id"))
        .containsExactlyInAnyOrder("evt_ok", "evt_no_schema", "evt_uncatalogued", "evt_remote_ref");
    assertThat(invalid).hasSize(1);
    ConsumerRecord<byte[], byte[]> refused = invalid.getFirst();
    assertThat(header(refused, "reason")).isEqualTo("schema_invalid");
    assertThat(header(refused, "detail"))
        .startsWith("data does not match the schema of order.created: ")
        .contains("amount");
    assertThat(new String(refused.value(), StandardCharsets.UTF_8)).contains("evt_bad");
  }

  @Test
  void withoutTheSettingEveryWellFormedEventIsDelivered() throws Exception {
    assertThat(run(Map.of())).isEmpty();
    assertThat(receiver.received()).extracting(r -> r.header("X-Event-Id")).contains("evt_bad");
  }

  /** Sends the five events and returns what reached the invalid-events topic. */
  private List<ConsumerRecord<byte[], byte[]>> run(Map<ConfigKey, String> config) throws Exception {
    try (TestEnvironment env = TestEnvironment.create("schemas", 1, Optional.of(receiver), config);
        EventTypeWriter writer =
            new EventTypeWriter(
                env.config().kafka(), env.topics().eventTypes(), Duration.ofSeconds(15))) {
      writer.put(
          new EventType(
              "order.created", "Placed.", Json.mapper().readTree(ORDER_SCHEMA), Instant.now()));
      writer.put(new EventType("order.paid", "Paid.", null, Instant.now()));
      writer.put(
          new EventType(
              "remote.ref",
              "A schema that points elsewhere.",
              Json.mapper().readTree("{\"$ref\":\"https://127.0.0.1:1/elsewhere.json\"}"),
              Instant.now()));
      env.putEndpoint(
          endpoint("ep_1", "acc_1", receiver.url("/hook"), List.of("*"), EndpointStatus.ACTIVE));
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
        dispatcher.start();
        String events = env.topics().events().name();
        String at = "2026-12-06T08:00:00Z";
        send(env, event("evt_ok", "order.created", "acc_1", at, "{\"order\":\"o1\",\"amount\":5}"));
        send(
            env,
            event("evt_bad", "order.created", "acc_1", at, "{\"order\":\"o2\",\"amount\":\"5\"}"));
        send(env, event("evt_no_schema", "order.paid", "acc_1", at, "{\"anything\":true}"));
        send(env, event("evt_uncatalogued", "other.thing", "acc_1", at, "{}"));
        send(env, event("evt_remote_ref", "remote.ref", "acc_1", at, "{}"));
        int expected = config.isEmpty() ? 5 : 4;
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == expected);
        int refused = config.isEmpty() ? 0 : 1;
        return await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> env.readAll(env.topics().eventsInvalid().name()), l -> l.size() == refused);
      }
    }
  }

  private static void send(TestEnvironment env, String json) {
    env.send(
        env.topics().events().name(),
        "acc_1".getBytes(StandardCharsets.UTF_8),
        json.getBytes(StandardCharsets.UTF_8));
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
