package com.flintn.webhooks.dispatcher.outcome;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** What an attempt's result means for the delivery. */
public sealed interface DeliveryOutcome {

  /** A 2xx answer: done. */
  record Delivered() implements DeliveryOutcome {}

  /**
   * A temporary failure: try again on the next tier, or dead-letter after the last attempt.
   *
   * @param retryAfter how long the endpoint asked us to wait ({@code Retry-After} on 429 or 503)
   */
  record RetryLater(String failure, Optional<Duration> retryAfter) implements DeliveryOutcome {
    public RetryLater(String failure) {
      this(failure, Optional.empty());
    }
  }

  /** A failure that retrying cannot fix: dead-letter now. */
  record GiveUp(GiveUpReason reason, String failure) implements DeliveryOutcome {}

  /** Why a delivery was dead-lettered; the {@code reason} header of {@code webhooks.dlq}. */
  enum GiveUpReason {
    /** A 4xx other than 408 and 429. */
    CLIENT_ERROR,
    /** The URL guard refused the target. */
    UNSAFE_URL,
    /** The fifth attempt failed too. */
    ATTEMPTS_EXHAUSTED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
