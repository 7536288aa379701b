package com.flintn.webhooks.common.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.json.JsonSerde;
import com.flintn.webhooks.common.sign.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessagesTest {
  /**
   * An active endpoint ep_1 of acc_1 sending to https://example.com/hook with a new secret, made,
   * last changed and given its status {@code at}, without a rate limit.
   */
  private static Endpoint activeEndpoint(
      String name, List<String> eventTypes, Instant at, long version) {
    return new Endpoint(
        EndpointId.of("ep_1"),
        AccountId.of("acc_1"),
        name,
        "https://example.com/hook",
        eventTypes,
        EndpointStatus.ACTIVE,
        null,
        SigningSecrets.of(Secret.generate()),
        at,
        at,
        version,
        at,
        null);
  }

  @Test
  void endpointRoundTripsWithSnakeCaseNamesAndIgnoresUnknownFields() {
    Instant t = Instant.parse("2026-11-27T10:00:00Z");
    Endpoint e = activeEndpoint("Production Orders", List.of("order.created"), t, 3);
    JsonSerde<Endpoint> serde = new JsonSerde<>(Endpoint.class);
    byte[] json = serde.serialize("t", e);
    String text = new String(json, StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "\"endpoint_id\":\"ep_1\"",
            "\"event_types\":[\"order.created\"]",
            "\"status\":\"active\"");
    String newer = text.replace("{\"endpoint_id\"", "{\"added_later\":{\"x\":1},\"endpoint_id\"");
    assertThat(serde.deserialize("t", newer.getBytes(StandardCharsets.UTF_8))).isEqualTo(e);
  }

  @Test
  void aRateLimitIsAnOptionalFieldThatOlderRecordsAndCommandsDoWithout() {
    Instant t = Instant.parse("2026-11-27T10:00:00Z");
    Endpoint plain = activeEndpoint("Orders", List.of("*"), t, 1);
    JsonSerde<Endpoint> serde = new JsonSerde<>(Endpoint.class);
    // Without a limit the record is written exactly as before the field existed.
    String old = new String(serde.serialize("t", plain), StandardCharsets.UTF_8);
    assertThat(old).doesNotContain("rate_limit");
    Endpoint read = serde.deserialize("t", old.getBytes(StandardCharsets.UTF_8));
    assertThat(read.rateLimit()).isNull();
    assertThat(read.rateLimited()).isFalse();

    Endpoint limited = plain.withSettings(null, null, null, 25, t.plusSeconds(1));
    String text = new String(serde.serialize("t", limited), StandardCharsets.UTF_8);
    assertThat(text).contains("\"rate_limit\":25");
    assertThat(serde.deserialize("t", text.getBytes(StandardCharsets.UTF_8))).isEqualTo(limited);
    // Other changes keep it; an update without one keeps it; 0 removes it.
    assertThat(limited.withStatus(EndpointStatus.DISABLED, "requested", t).rateLimit())
        .isEqualTo(25);
    assertThat(limited.withSettings("Renamed", null, null, t).rateLimit()).isEqualTo(25);
    assertThat(limited.withSettings(null, null, null, 0, t).rateLimited()).isFalse();

    // A change command written before the field existed.
    String oldCommand =
        "{\"change_id\":\"chg_1\",\"type\":\"update\",\"endpoint_id\":\"ep_1\","
            + "\"account_id\":\"acc_1\",\"name\":\"New\","
            + "\"requested_at\":\"2026-11-27T10:00:00Z\"}";
    JsonSerde<EndpointChange> changes = new JsonSerde<>(EndpointChange.class);
    EndpointChange c = changes.deserialize("t", oldCommand.getBytes(StandardCharsets.UTF_8));
    assertThat(c.rateLimit()).isNull();
    assertThat(c.name()).isEqualTo("New");
    EndpointChange withLimit =
        new EndpointChange(
            "chg_2",
            EndpointChange.Type.UPDATE,
            EndpointId.of("ep_1"),
            AccountId.of("acc_1"),
            null,
            null,
            null,
            null,
            null,
            t,
            7);
    assertThat(changes.deserialize("t", changes.serialize("t", withLimit)).rateLimit())
        .isEqualTo(7);
  }

  @Test
  void deliveryIdsAreStablePerEventAndEndpoint() {
    assertThat(Delivery.idFor(EventId.of("evt_1"), EndpointId.of("ep_1")))
        .isEqualTo(Delivery.idFor(EventId.of("evt_1"), EndpointId.of("ep_1")))
        .isNotEqualTo(Delivery.idFor(EventId.of("evt_1"), EndpointId.of("ep_2")));
  }

  @ParameterizedTest
  @CsvSource({
    "*, anything.at.all, true",
    // Flintn's own types are named one by one (docs/design.md §4.1)
    "*, webhook.endpoint.failing, false",
    "*, webhook.endpoint.disabled, false",
    "order.created, order.created, true",
    "order.created, order.created.v2, false",
    "*|webhook.endpoint.failing, webhook.endpoint.failing, true",
    "*|webhook.endpoint.failing, webhook.endpoint.disabled, false",
    "*|webhook.endpoint.failing, order.paid, true"
  })
  void subscriptionMatchesExactTypesOrStar(String subscribed, String eventType, boolean matches) {
    Endpoint e = activeEndpoint("n", List.of(subscribed.split("\\|")), null, 1);
    assertThat(e.subscribesTo(eventType)).isEqualTo(matches);
  }
}
