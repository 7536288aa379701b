package com.flintn.webhooks.testkit;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EventId;
import java.time.Instant;

/** Attempt records as the dispatcher writes them, for tests that feed them in themselves. */
public final class AttemptRecords {
  private AttemptRecords() {}

  /**
   * Attempt {@code attempt} of the delivery of {@code event} to {@code endpoint} (its delivery id
   * made as the dispatcher makes it), with no detail and no response excerpt.
   */
  public static AttemptRecord of(
      String event,
      String eventType,
      String endpoint,
      AccountId account,
      int attempt,
      Instant startedAt,
      long durationMs,
      Integer status,
      String error,
      AttemptOutcome outcome) {
    return new AttemptRecord(
        Delivery.idFor(EventId.of(event), EndpointId.of(endpoint)),
        EventId.of(event),
        eventType,
        EndpointId.of(endpoint),
        account,
        attempt,
        startedAt,
        durationMs,
        status,
        error,
        null,
        null,
        outcome);
  }
}
