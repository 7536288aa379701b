package com.flintn.webhooks.admin.dlq;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointId;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One record of {@code webhooks.dlq} as ops see it.
 *
 * @param at when it was dead-lettered (the record's timestamp)
 * @param reason {@code client_error}, {@code unsafe_url} or {@code attempts_exhausted}
 * @param lastOutcome the last HTTP status, or the error kind when no response came back
 */
public record DeadLetter(
    String topic,
    int partition,
    long offset,
    Instant at,
    Delivery delivery,
    @Nullable String reason,
    @Nullable String lastOutcome,
    int attempts) {

  public EndpointId endpointId() {
    return delivery.endpointId();
  }

  public AccountId accountId() {
    return delivery.event().accountId();
  }

  public String eventType() {
    return delivery.event().eventType();
  }

  /** {@code topic/partition/offset}: what a replay names in its {@code replayed-from} header. */
  public String position() {
    return topic + "/" + partition + "/" + offset;
  }
}
