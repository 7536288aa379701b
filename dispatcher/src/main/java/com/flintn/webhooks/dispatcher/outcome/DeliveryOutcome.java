package com.flintn.webhooks.dispatcher.outcome;

import java.util.Locale;

/** What an attempt's result means for the delivery. */
public sealed interface DeliveryOutcome {

  /** A 2xx answer: done. */
  record Delivered() implements DeliveryOutcome {}

  /** A temporary failure: try again on the next tier, or dead-letter after the last attempt. */
  record RetryLater(String failure) implements DeliveryOutcome {}

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
