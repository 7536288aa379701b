package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** Where an event entered the system: its record on {@code webhooks.events}. */
public record Origin(
    @JsonProperty("topic") String topic,
    @JsonProperty("partition") int partition,
    @JsonProperty("offset") long offset) {
  public Origin {
    Objects.requireNonNull(topic, "topic");
  }
}
