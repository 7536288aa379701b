package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.admin.AdminFixture.Answer;
import com.flintn.webhooks.common.event.OperationalEvents;
import com.flintn.webhooks.common.eventtype.EventTypeWriter;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.DeliveryId;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.message.EventType;
import com.flintn.webhooks.common.topic.HeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/notifications} on the real broker: the endpoint-state app turns the attempt
 * records the dispatcher writes into warnings, recoveries and a disable, and the account, and only
 * it, sees them (docs/design.md §4.1).
 */
@Tag("broker")
class NotificationsApiTest extends SharedAdminFixture {
  @Test
  void warningsRecoveryAndDisableAreShownToTheirAccountOnly() throws Exception {
    Answer created = f.create(KEY_A, "Orders", f.receiver.url("/orders"), "order.created");
    assertThat(created.status()).isEqualTo(201);
    String id = created.body().get("id").asText();

    attempt(id, "evt_1", 3, AttemptOutcome.RETRY_SCHEDULED);
    JsonNode failing = awaitNotices(KEY_A, 1);
    assertThat(failing.get("data").get(0).get("kind").asText()).isEqualTo("failing");
    assertThat(failing.get("data").get(0).get("endpoint_id").asText()).isEqualTo(id);
    assertThat(failing.get("data").get(0).get("percent_of_threshold").asInt()).isEqualTo(60);
    assertThat(failing.get("data").get(0).get("webhook_sent").asBoolean()).isTrue();
    assertThat(failing.get("data").get(0).get("last_status").asText()).isEqualTo("503");
    assertThat(failing.get("data").get(0).get("failing_event_id").asText()).isEqualTo("evt_1");
    assertThat(failing.get("failing")).hasSize(1);
    assertThat(failing.get("failing").get(0).get("endpoint_id").asText()).isEqualTo(id);

    Answer other = f.call("GET", "/v1/notifications", KEY_B, null);
    assertThat(other.status()).isEqualTo(200);
    assertThat(other.body().get("data")).isEmpty();
    assertThat(other.body().get("failing")).isEmpty();

    attempt(id, "evt_2", 1, AttemptOutcome.DELIVERED);
    JsonNode recovered = awaitNotices(KEY_A, 2);
    assertThat(recovered.get("data").get(0).get("kind").asText()).isEqualTo("recovered");
    assertThat(recovered.get("failing")).isEmpty();

    attempt(id, "evt_3", 4, AttemptOutcome.RETRY_SCHEDULED);
    JsonNode quiet = awaitNotices(KEY_A, 3);
    assertThat(quiet.get("data").get(0).get("percent_of_threshold").asInt()).isEqualTo(80);
    assertThat(quiet.get("data").get(0).get("webhook_sent").asBoolean())
        .as("within an hour of the last webhook after a recovery")
        .isFalse();

    attempt(id, "evt_3", 5, AttemptOutcome.DEAD_LETTERED);
    JsonNode disabled = awaitNotices(KEY_A, 4);
    assertThat(disabled.get("data").get(0).get("kind").asText()).isEqualTo("disabled");
    assertThat(disabled.get("data").get(0).get("reason").asText()).isEqualTo("attempts_exhausted");
    assertThat(disabled.get("failing")).isEmpty();
    assertThat(f.call("GET", "/v1/webhooks/" + id, KEY_A, null).body().get("status").asText())
        .isEqualTo("disabled");

    assertThat(f.call("GET", "/v1/notifications?limit=1", KEY_A, null).body().get("data"))
        .hasSize(1);
    Answer bad = f.call("GET", "/v1/notifications?limit=0", KEY_A, null);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorMessage()).contains("limit");
    assertThat(f.call("GET", "/v1/notifications", null, null).status()).isEqualTo(401);
  }

  @Test
  void theOperationalTypesCanBeSubscribedToByNameEvenWhenTheCatalogueLeavesThemOut()
      throws Exception {
    try (EventTypeWriter writer =
        new EventTypeWriter(
            f.env.config().kafka(), f.env.topics().eventTypes(), Duration.ofSeconds(15))) {
      writer.put(new EventType("order.created", "An order was placed.", null, Instant.now()));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> f.call("GET", "/v1/event-types", KEY_A, null).body().get("data").size() == 1);
      try {
        Answer created =
            f.create(
                KEY_A,
                "Alerts",
                f.receiver.url("/alerts"),
                OperationalEvents.ENDPOINT_FAILING,
                OperationalEvents.ENDPOINT_DISABLED);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("event_types").toString())
            .isEqualTo("[\"webhook.endpoint.failing\",\"webhook.endpoint.disabled\"]");
        Answer typo = f.create(KEY_A, "Typo", f.receiver.url("/typo"), "webhook.endpoint.failin");
        assertThat(typo.status()).isEqualTo(422);
      } finally {
        writer.remove("order.created");
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> f.call("GET", "/v1/event-types", KEY_A, null).body().get("data").isEmpty());
      }
    }
  }

  private static JsonNode awaitNotices(String key, int count) {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              last[0] = f.call("GET", "/v1/notifications", key, null).body();
              return last[0].get("data").size() == count;
            });
    return last[0];
  }

  private static void attempt(String endpoint, String event, int n, AttemptOutcome outcome) {
    attempt(f, endpoint, event, n, outcome);
  }

  /** An attempt record as the dispatcher writes it, headers included. */
  static void attempt(
      AdminFixture f, String endpoint, String event, int n, AttemptOutcome outcome) {
    AttemptRecord a =
        new AttemptRecord(
            DeliveryId.of("dlv_" + event),
            EventId.of(event),
            "order.created",
            EndpointId.of(endpoint),
            AdminFixture.ACCOUNT_A,
            n,
            Instant.now(),
            10,
            outcome == AttemptOutcome.DELIVERED ? 200 : 503,
            null,
            null,
            null,
            outcome);
    var topic = f.env.topics().attempts();
    ProducerRecord<byte[], byte[]> r =
        new ProducerRecord<>(
            topic.name(),
            endpoint.getBytes(StandardCharsets.UTF_8),
            topic.valueSerde().serializer().serialize(topic.name(), a));
    r.headers().add(HeaderNames.OUTCOME, outcome.wireName().getBytes(StandardCharsets.UTF_8));
    r.headers().add(HeaderNames.ATTEMPT, String.valueOf(n).getBytes(StandardCharsets.UTF_8));
    f.env.sendAsync(r);
    f.env.flush();
  }
}
