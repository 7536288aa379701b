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
 *     endpoint.deleted}, or {@code endpoint.change_rejected}
 * @param reason why: for {@code endpoint.disabled} {@code attempts_exhausted} or {@code requested};
 *     for a rejection what was wrong
 * @param lastStatus the last HTTP status or error of the delivery that exhausted its attempts
 * @param eventId the event whose delivery exhausted its attempts
 * @param changeId the change this event answers, if it answers one
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
    @JsonProperty("change_id") @Nullable String changeId) {

  public static final String CREATED = "endpoint.created";
  public static final String UPDATED = "endpoint.updated";
  public static final String DISABLED = "endpoint.disabled";
  public static final String REACTIVATED = "endpoint.reactivated";
  public static final String REVOKED = "endpoint.revoked";
  public static final String SECRET_ROTATED = "endpoint.secret_rotated";
  public static final String DELETED = "endpoint.deleted";
  public static final String CHANGE_REJECTED = "endpoint.change_rejected";

  public EndpointEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(endpointId, "endpoint_id");
    Objects.requireNonNull(at, "at");
  }
}
