package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.flintn.webhooks.common.sign.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A command on {@code webhooks.endpoint-changes} (key: endpoint id), applied in order per endpoint
 * by the endpoint-state app, the only writer of {@code webhooks.endpoints}.
 *
 * @param changeId the requester's id for this command; rejections carry it back
 * @param secret the new signing secret, for {@code create} and {@code rotate_secret}
 * @param rotationGraceMs how long the previous secret keeps signing after {@code rotate_secret}
 * @param rateLimit for {@code create} and {@code update}: events per second; 0 removes the limit
 *     (update), absent keeps it (update) or sets none (create). Commands written before the field
 *     existed read as absent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndpointChange(
    @JsonProperty("change_id") String changeId,
    @JsonProperty("type") Type type,
    @JsonProperty("endpoint_id") EndpointId endpointId,
    @JsonProperty("account_id") AccountId accountId,
    @JsonProperty("name") @Nullable String name,
    @JsonProperty("url") @Nullable String url,
    @JsonProperty("event_types") @Nullable List<String> eventTypes,
    @JsonProperty("secret") @Nullable Secret secret,
    @JsonProperty("rotation_grace_ms") @Nullable Long rotationGraceMs,
    @JsonProperty("requested_at") Instant requestedAt,
    @JsonProperty("rate_limit") @Nullable Integer rateLimit) {

  /** The kinds of change. */
  public enum Type {
    CREATE,
    UPDATE,
    DISABLE,
    REACTIVATE,
    REVOKE,
    ROTATE_SECRET,
    DELETE,
    /**
     * Rewrite the endpoint as it is, so its secrets are sealed again with the writing key of the
     * keyring ({@code secrets rekey}); sent by operators' tooling, never by the admin API.
     */
    REKEY;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public EndpointChange {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(endpointId, "endpoint_id");
    Objects.requireNonNull(accountId, "account_id");
    Objects.requireNonNull(requestedAt, "requested_at");
    eventTypes = eventTypes == null ? null : List.copyOf(eventTypes);
  }

  /** A change that leaves the rate limit alone. */
  public EndpointChange(
      String changeId,
      Type type,
      EndpointId endpointId,
      AccountId accountId,
      @Nullable String name,
      @Nullable String url,
      @Nullable List<String> eventTypes,
      @Nullable Secret secret,
      @Nullable Long rotationGraceMs,
      Instant requestedAt) {
    this(
        changeId,
        type,
        endpointId,
        accountId,
        name,
        url,
        eventTypes,
        secret,
        rotationGraceMs,
        requestedAt,
        null);
  }

  /** A change with only the fields every type has. */
  public static EndpointChange of(
      String changeId, Type type, EndpointId endpoint, AccountId account, Instant at) {
    return new EndpointChange(changeId, type, endpoint, account, null, null, null, null, null, at);
  }

  public Duration rotationGrace(Duration byDefault) {
    return rotationGraceMs == null ? byDefault : Duration.ofMillis(rotationGraceMs);
  }

  @Override
  public String toString() {
    return "EndpointChange[" + type.wireName() + " " + endpointId + " change " + changeId + "]";
  }
}
