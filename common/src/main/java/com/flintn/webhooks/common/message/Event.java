package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The event envelope that upstream services produce to {@code webhooks.events} and that receivers
 * get as the POST body (docs/design.md §3, §10).
 *
 * <p>{@code created_at} is kept as the ISO-8601 text the producer wrote, so the body a receiver
 * sees carries the producer's own rendering of the time.
 */
@JsonPropertyOrder({"event_id", "event_type", "account_id", "created_at", "data"})
public record Event(
    @JsonProperty("event_id") EventId eventId,
    @JsonProperty("event_type") String eventType,
    @JsonProperty("account_id") AccountId accountId,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("data") ObjectNode data) {

  /** The event type of the test events sent from the dashboard and API. */
  public static final String TEST_EVENT_TYPE = "webhook.test";

  /**
   * The namespace of the types Flintn emits itself ({@code webhook.test} and the operational
   * webhooks, docs/design.md §4.1). A subscription to {@code *} does not include them: an endpoint
   * gets them only by naming them.
   */
  public static final String RESERVED_TYPE_PREFIX = "webhook.";

  /** Whether {@code type} is in the product's reserved namespace. */
  public static boolean isReservedType(String type) {
    return type != null && type.startsWith(RESERVED_TYPE_PREFIX);
  }

  /**
   * Whether {@code type} is a valid event type: a dotted name such as {@code order.created}, 1 to 8
   * segments of 1 to 64 letters, digits, {@code _} and {@code -}, at most 200 characters in all.
   */
  public static boolean isValidType(String type) {
    return Ids.isEventType(type);
  }

  public Event {
    Objects.requireNonNull(eventId, "event_id");
    Objects.requireNonNull(accountId, "account_id");
    Objects.requireNonNull(data, "data");
    if (!isValidType(eventType)) {
      throw new IllegalArgumentException(
          "event_type must be a dotted name such as order.created, got "
              + Printable.quote(eventType));
    }
    if (createdAt == null) {
      throw new IllegalArgumentException("created_at is required");
    }
    if (!Ids.isOffsetDateTime(createdAt)) {
      throw new IllegalArgumentException(
          "created_at must be an ISO-8601 time with offset such as 2026-11-27T10:00:00Z, got "
              + Printable.quote(createdAt));
    }
  }
}
