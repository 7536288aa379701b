package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A status event on {@code webhooks.endpoint-events} (key: endpoint id), for alerting,
 * notifications and the admin API.
 *
 * @param type {@code endpoint.created}, {@code endpoint.updated}, {@code endpoint.disabled}, {@code
 *     endpoint.reactivated}, {@code endpoint.revoked}, {@code endpoint.secret_rotated}, {@code
 *     endpoint.deleted}, {@code endpoint.change_rejected}, or the failure warnings {@code
 *     endpoint.failing} and {@code endpoint.recovered} (docs/design.md §4.1)
 * @param reason why: for {@code endpoint.disabled} {@code attempts_exhausted} or {@code requested};
 *     for a rejection what was wrong
 * @param lastStatus the last HTTP status or error of the delivery that exhausted its attempts
 * @param eventId the event whose delivery exhausted its attempts
 * @param changeId the change this event answers, if it answers one
 * @param percentOfThreshold for {@code endpoint.failing}: how far along the disable rule the
 *     endpoint is, in percent (failed attempts of one delivery out of its 5)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndpointEvent(
    @JsonProperty("type") String type,
    @JsonProperty("endpoint_id") EndpointId endpointId,
    @JsonProperty("account_id") AccountId accountId,
    @JsonProperty("at") Instant at,
    @JsonProperty("reason") @Nullable String reason,
    @JsonProperty("last_status") @Nullable String lastStatus,
    @JsonProperty("event_id") @Nullable EventId eventId,
    @JsonProperty("change_id") @Nullable String changeId,
    @JsonProperty("percent_of_threshold") @Nullable Integer percentOfThreshold) {

  public static final String CREATED = "endpoint.created";
  public static final String UPDATED = "endpoint.updated";
  public static final String DISABLED = "endpoint.disabled";
  public static final String REACTIVATED = "endpoint.reactivated";
  public static final String REVOKED = "endpoint.revoked";
  public static final String SECRET_ROTATED = "endpoint.secret_rotated";
  public static final String DELETED = "endpoint.deleted";
  public static final String CHANGE_REJECTED = "endpoint.change_rejected";

  /** A delivery to the endpoint failed enough attempts to reach a warning level. */
  public static final String FAILING = "endpoint.failing";

  /** A failing endpoint delivered again: its warning is over. */
  public static final String RECOVERED = "endpoint.recovered";

  public EndpointEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(endpointId, "endpoint_id");
    Objects.requireNonNull(at, "at");
  }

  /** A status event without a warning level. */
  public EndpointEvent(
      String type,
      EndpointId endpointId,
      AccountId accountId,
      Instant at,
      @Nullable String reason,
      @Nullable String lastStatus,
      @Nullable EventId eventId,
      @Nullable String changeId) {
    this(type, endpointId, accountId, at, reason, lastStatus, eventId, changeId, null);
  }
}
