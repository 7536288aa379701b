package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.admin.AdminFixture.Answer;
import com.flintn.webhooks.common.eventtype.EventTypeWriter;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The event-type catalogue through the admin API on the real broker: {@code GET /v1/event-types}
 * follows what operators write to the catalogue topic; creates and updates refuse a type it does
 * not hold, with a suggestion; an empty catalogue accepts any name; a subscription to a type
 * removed later keeps receiving it.
 */
@Tag("broker")
class EventTypeCatalogueApiTest extends SharedAdminFixture {
  private static EventTypeWriter writer;

  @BeforeAll
  static void start() {
    writer =
        new EventTypeWriter(
            f.env.config().kafka(), f.env.topics().eventTypes(), Duration.ofSeconds(15));
  }

  @AfterAll
  static void stop() {
    writer.close();
  }

  @Test
  void theCatalogueDecidesWhatEndpointsMaySubscribeTo() throws Exception {
    assertThat(f.call("GET", "/v1/event-types", null, null).status()).isEqualTo(401);
    assertThat(names()).as("a fresh install has no catalogue").isEmpty();
    Answer early = f.create(KEY_A, "Early", f.receiver.url("/early"), "order.paid", "legacy.thing");
    assertThat(early.status()).as("an empty catalogue accepts any name").isEqualTo(201);
    String earlyId = early.body().get("id").asText();

    writer.put(
        new EventType(
            "order.created",
            "An order was placed.",
            Json.mapper().readTree("{\"type\":\"object\",\"required\":[\"order_id\"]}"),
            Instant.now()));
    writer.put(new EventType("order.paid", "An order was paid.", null, Instant.now()));
    writer.put(new EventType("customer.updated", "A customer changed.", null, Instant.now()));
    await().atMost(Duration.ofSeconds(20)).until(() -> names().size() == 3);

    JsonNode listed = f.call("GET", "/v1/event-types", KEY_A, null).body().get("data");
    assertThat(names()).containsExactly("customer.updated", "order.created", "order.paid");
    assertThat(listed.get(1).get("description").asText()).isEqualTo("An order was placed.");
    assertThat(listed.get(1).get("schema").get("required").get(0).asText()).isEqualTo("order_id");
    assertThat(listed.get(0).has("schema")).as("no schema published").isFalse();

    Answer typo = f.create(KEY_A, "Typo", f.receiver.url("/typo"), "order.paid", "ordr.created");
    assertThat(typo.status()).isEqualTo(422);
    assertThat(typo.errorCode()).isEqualTo("validation_failed");
    assertThat(typo.errorMessage())
        .contains("'ordr.created' is not an event type")
        .contains("did you mean 'order.created'?")
        .contains("GET /v1/event-types")
        .doesNotContain("'order.paid' is not");
    Answer far = f.create(KEY_A, "Far", f.receiver.url("/far"), "invoice.sent");
    assertThat(far.status()).isEqualTo(422);
    assertThat(far.errorMessage()).contains("'invoice.sent' is not").doesNotContain("did you");

    assertThat(f.create(KEY_A, "All", f.receiver.url("/all"), "*").status()).isEqualTo(201);
    Answer paid = f.create(KEY_A, "Paid", f.receiver.url("/paid"), "order.paid", "order.created");
    assertThat(paid.status()).isEqualTo(201);
    String paidId = paid.body().get("id").asText();

    Answer patchTypo =
        f.call("PATCH", "/v1/webhooks/" + paidId, KEY_A, "{\"event_types\":[\"order.payd\"]}");
    assertThat(patchTypo.status()).isEqualTo(422);
    assertThat(patchTypo.errorMessage()).contains("did you mean 'order.paid'?");
    Answer keepLegacy =
        f.call(
            "PATCH",
            "/v1/webhooks/" + earlyId,
            KEY_A,
            "{\"event_types\":[\"legacy.thing\",\"customer.updated\"]}");
    assertThat(keepLegacy.status())
        .as("a type the endpoint already had stays allowed")
        .isEqualTo(200);
    assertThat(
            f.call("PATCH", "/v1/webhooks/" + earlyId, KEY_A, "{\"name\":\"Early bird\"}").status())
        .isEqualTo(200);

    writer.remove("order.paid");
    await().atMost(Duration.ofSeconds(20)).until(() -> names().size() == 2);
    assertThat(names()).doesNotContain("order.paid");
    assertThat(f.create(KEY_A, "Late", f.receiver.url("/late"), "order.paid").status())
        .as("a removed type is refused for new subscriptions")
        .isEqualTo(422);
    f.env.send(
        f.env.topics().events().name(),
        "acc_a".getBytes(StandardCharsets.UTF_8),
        ("{\"event_id\":\"evt_removed_1\",\"event_type\":\"order.paid\",\"account_id\":\"acc_a\","
                + "\"created_at\":\"2026-12-06T08:00:00Z\",\"data\":{}}")
            .getBytes(StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(30)).until(() -> f.receiver.receivedAt("/paid").size() == 1);
    assertThat(f.receiver.receivedAt("/paid").get(0).header("X-Event-Type"))
        .as("an endpoint subscribed before the type was removed still receives it")
        .isEqualTo("order.paid");
  }

  private static List<String> names() throws Exception {
    List<String> names = new ArrayList<>();
    for (JsonNode t : f.call("GET", "/v1/event-types", KEY_A, null).body().get("data")) {
      names.add(t.get("name").asText());
    }
    return names;
  }
}
