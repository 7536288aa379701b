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
  @Test
  void endpointRoundTripsWithSnakeCaseNamesAndIgnoresUnknownFields() {
    Instant t = Instant.parse("2026-11-27T10:00:00Z");
    Endpoint e =
        new Endpoint(
            EndpointId.of("ep_1"),
            AccountId.of("acc_1"),
            "Production Orders",
            "https://example.com/hook",
            List.of("order.created"),
            EndpointStatus.ACTIVE,
            null,
            SigningSecrets.of(Secret.generate()),
            t,
            t,
            3,
            null,
            null);
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
  void deliveryIdsAreStablePerEventAndEndpoint() {
    assertThat(Delivery.idFor(EventId.of("evt_1"), EndpointId.of("ep_1")))
        .isEqualTo(Delivery.idFor(EventId.of("evt_1"), EndpointId.of("ep_1")))
        .isNotEqualTo(Delivery.idFor(EventId.of("evt_1"), EndpointId.of("ep_2")));
  }

  @ParameterizedTest
  @CsvSource({
    "*, anything.at.all, true",
    "order.created, order.created, true",
    "order.created, order.created.v2, false"
  })
  void subscriptionMatchesExactTypesOrStar(String subscribed, String eventType, boolean matches) {
    Endpoint e =
        new Endpoint(
            EndpointId.of("a"),
            AccountId.of("b"),
            "n",
            "https://x",
            List.of(subscribed),
            EndpointStatus.ACTIVE,
            null,
            SigningSecrets.of(Secret.generate()),
            null,
            null,
            1,
            null,
            null);
    assertThat(e.subscribesTo(eventType)).isEqualTo(matches);
  }
}
