package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A customer's webhook endpoint as it is kept in the compacted {@code webhooks.endpoints} topic
 * (key: endpoint id; a tombstone deletes it).
 *
 * <p>{@code event_types} lists exact event types; {@code *} subscribes to every type. {@code
 * status_changed_at} is when the status last changed (creation counts): work begun before it, such
 * as a retry queued before a disable, does not carry over into the new status. {@code
 * url_changed_at} is when the URL last changed (absent until it has): an attempt begun before it
 * was sent to another URL, so it says nothing about the current one and cannot disable the
 * endpoint. Unlike a status change, a URL change does not drop queued retries: they go to the new
 * URL.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Endpoint(
    @JsonProperty("endpoint_id") EndpointId endpointId,
    @JsonProperty("account_id") AccountId accountId,
    @JsonProperty("name") @Nullable String name,
    @JsonProperty("url") String url,
    @JsonProperty("event_types") List<String> eventTypes,
    @JsonProperty("status") EndpointStatus status,
    @JsonProperty("disabled_reason") @Nullable String disabledReason,
    @JsonProperty("secrets") SigningSecrets secrets,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("updated_at") Instant updatedAt,
    @JsonProperty("version") long version,
    @JsonProperty("status_changed_at") @Nullable Instant statusChangedAt,
    @JsonProperty("url_changed_at") @Nullable Instant urlChangedAt) {

  public static final String ALL_EVENT_TYPES = "*";

  public Endpoint {
    Objects.requireNonNull(endpointId, "endpoint_id");
    Objects.requireNonNull(accountId, "account_id");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(secrets, "secrets");
    eventTypes = List.copyOf(Objects.requireNonNull(eventTypes, "event_types"));
  }

  /** Whether this endpoint subscribed to {@code eventType}, whatever its status. */
  public boolean subscribesTo(String eventType) {
    return eventTypes.contains(ALL_EVENT_TYPES) || eventTypes.contains(eventType);
  }

  public boolean isActive() {
    return status == EndpointStatus.ACTIVE;
  }

  /** Whether something begun at {@code at} began before the endpoint's current status. */
  public boolean predatesStatus(@Nullable Instant at) {
    return statusChangedAt != null && at != null && at.isBefore(statusChangedAt);
  }

  /**
   * Whether an attempt begun at {@code at} cannot count against the endpoint: it began before the
   * current status or was sent to a URL the endpoint no longer has.
   */
  public boolean predatesStatusOrUrl(@Nullable Instant at) {
    return predatesStatus(at) || (urlChangedAt != null && at != null && at.isBefore(urlChangedAt));
  }

  /** This endpoint in {@code newStatus} as of {@code at}, one version later. */
  public Endpoint withStatus(EndpointStatus newStatus, @Nullable String reason, Instant at) {
    return new Endpoint(
        endpointId,
        accountId,
        name,
        url,
        eventTypes,
        newStatus,
        newStatus == EndpointStatus.ACTIVE ? null : reason,
        secrets,
        createdAt,
        at,
        version + 1,
        at,
        urlChangedAt);
  }

  /**
   * This endpoint with new settings (null keeps a setting) as of {@code at}, one version later. A
   * URL that differs from the current one moves {@code url_changed_at} to {@code at}.
   */
  public Endpoint withSettings(
      @Nullable String newName,
      @Nullable String newUrl,
      @Nullable List<String> newTypes,
      Instant at) {
    boolean newUrlDiffers = newUrl != null && !newUrl.equals(url);
    return new Endpoint(
        endpointId,
        accountId,
        newName != null ? newName : name,
        Objects.requireNonNullElse(newUrl, url),
        newTypes != null ? newTypes : eventTypes,
        status,
        disabledReason,
        secrets,
        createdAt,
        at,
        version + 1,
        statusChangedAt,
        newUrlDiffers ? at : urlChangedAt);
  }

  /** This endpoint signing with {@code newSecrets} as of {@code at}, one version later. */
  public Endpoint withSecrets(SigningSecrets newSecrets, Instant at) {
    return new Endpoint(
        endpointId,
        accountId,
        name,
        url,
        eventTypes,
        status,
        disabledReason,
        newSecrets,
        createdAt,
        at,
        version + 1,
        statusChangedAt,
        urlChangedAt);
  }
}
