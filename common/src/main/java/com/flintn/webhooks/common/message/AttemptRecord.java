package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One row of the delivery log on {@code webhooks.attempts} (key: endpoint id).
 *
 * @param status the HTTP status, or null when no response came back
 * @param error the error kind when no response came back ({@code timeout}, {@code
 *     connection_refused}, {@code tls}, {@code unsafe_url}, ...), or null
 * @param responseExcerpt the first characters of the response body (at most 4 KiB), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AttemptRecord(
    @JsonProperty("delivery_id") DeliveryId deliveryId,
    @JsonProperty("event_id") EventId eventId,
    @JsonProperty("event_type") String eventType,
    @JsonProperty("endpoint_id") EndpointId endpointId,
    @JsonProperty("account_id") AccountId accountId,
    @JsonProperty("attempt") int attempt,
    @JsonProperty("started_at") Instant startedAt,
    @JsonProperty("duration_ms") long durationMs,
    @JsonProperty("status") @Nullable Integer status,
    @JsonProperty("error") @Nullable String error,
    @JsonProperty("detail") @Nullable String detail,
    @JsonProperty("response_excerpt") @Nullable String responseExcerpt,
    @JsonProperty("outcome") AttemptOutcome outcome) {

  public static final int MAX_EXCERPT_CHARS = 4096;

  /** The record of an attempt (or non-attempt) of {@code d}; ids and type come from it. */
  public static AttemptRecord of(
      Delivery d,
      Instant startedAt,
      long durationMs,
      @Nullable Integer status,
      @Nullable String error,
      @Nullable String detail,
      @Nullable String responseExcerpt,
      AttemptOutcome outcome) {
    return new AttemptRecord(
        d.deliveryId(),
        d.event().eventId(),
        d.event().eventType(),
        d.endpointId(),
        d.event().accountId(),
        d.attempt(),
        startedAt,
        durationMs,
        status,
        error,
        detail,
        responseExcerpt,
        outcome);
  }

  public AttemptRecord {
    Objects.requireNonNull(deliveryId, "delivery_id");
    Objects.requireNonNull(eventId, "event_id");
    Objects.requireNonNull(endpointId, "endpoint_id");
    Objects.requireNonNull(startedAt, "started_at");
    Objects.requireNonNull(outcome, "outcome");
    if (responseExcerpt != null && responseExcerpt.length() > MAX_EXCERPT_CHARS) {
      responseExcerpt = responseExcerpt.substring(0, MAX_EXCERPT_CHARS);
    }
  }
}
