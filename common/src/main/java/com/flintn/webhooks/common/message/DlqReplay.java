package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Objects;

/**
 * A note on the compacted {@code webhooks.dlq.replays} topic (key: the dead letter's {@code
 * topic/partition/offset}) that a dead letter was replayed, written in the same transaction as the
 * replayed delivery, so a second replay of it can be refused.
 */
public record DlqReplay(
    @JsonProperty("replayed_from") String replayedFrom,
    @JsonProperty("delivery_id") DeliveryId deliveryId,
    @JsonProperty("endpoint_id") EndpointId endpointId,
    @JsonProperty("event_id") EventId eventId,
    @JsonProperty("replayed_at") Instant replayedAt) {

  public DlqReplay {
    Objects.requireNonNull(replayedFrom, "replayed_from");
    Objects.requireNonNull(replayedAt, "replayed_at");
  }
}
