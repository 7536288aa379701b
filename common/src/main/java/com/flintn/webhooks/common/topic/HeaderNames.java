package com.flintn.webhooks.common.topic;

/** Names of the Kafka record headers the product writes (docs/design.md §3, §10). */
public final class HeaderNames {
  /** Retry records: epoch milliseconds before which the next attempt must not start. */
  public static final String DUE_AT = "due-at";

  /** Dead-letter and invalid-event records: why. */
  public static final String REASON = "reason";

  public static final String DETAIL = "detail";
  public static final String LAST_STATUS = "last-status";
  public static final String LAST_ERROR = "last-error";
  public static final String ATTEMPTS = "attempts";
  public static final String FIRST_ATTEMPT_AT = "first-attempt-at";
  public static final String ENDPOINT_ID = "endpoint-id";
  public static final String EVENT_ID = "event-id";
  public static final String SOURCE_TOPIC = "source-topic";
  public static final String SOURCE_PARTITION = "source-partition";
  public static final String SOURCE_OFFSET = "source-offset";

  /** Replayed deliveries: the dead letter they came from, as {@code topic/partition/offset}. */
  public static final String REPLAYED_FROM = "replayed-from";

  /**
   * Attempt records: the record's {@code outcome}, so a reader that needs only some outcomes (the
   * endpoint-state app acts on {@code dead_lettered} alone) skips the rest without parsing them.
   */
  public static final String OUTCOME = "outcome";

  /**
   * Attempt records of a real attempt: its number (1 to 5), so the endpoint-state app can follow an
   * endpoint's failures toward the disable rule without parsing the record (docs/design.md §4.1).
   */
  public static final String ATTEMPT = "attempt";

  /** Due records: epoch milliseconds when the retry scheduler moved the record. */
  public static final String MOVED_AT = "moved-at";

  private HeaderNames() {}
}
