package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What became of one delivery attempt, as recorded on {@code webhooks.attempts}. */
public enum AttemptOutcome {
  DELIVERED,
  RETRY_SCHEDULED,
  DEAD_LETTERED,
  DROPPED_ENDPOINT_INACTIVE,
  REJECTED_UNSAFE_URL,
  /**
   * Not attempted: the endpoint already had its full share of requests in flight and queued, so the
   * delivery waits on the first retry tier with its attempt number unchanged. Not a failure.
   */
  DEFERRED_ENDPOINT_BUSY;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the delivery ends here (nothing more will be attempted for it). */
  public boolean isTerminal() {
    return this != RETRY_SCHEDULED && this != DEFERRED_ENDPOINT_BUSY;
  }
}
