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
 *
 * <p>{@code rate_limit} is the customer's cap on deliveries to the endpoint, in events per second,
 * across every dispatcher (docs/design.md §6.6); absent means no cap of its own. Records written
 * before the field existed read as having none.
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
    @JsonProperty("url_changed_at") @Nullable Instant urlChangedAt,
    @JsonProperty("rate_limit") @Nullable Integer rateLimit) {

  public static final String ALL_EVENT_TYPES = "*";

  /** The lowest and highest {@code rate_limit} a customer may set, in events per second. */
  public static final int MIN_RATE_LIMIT = 1;

  public static final int MAX_RATE_LIMIT = 10_000;

  /** An endpoint without a rate limit of its own. */
  public Endpoint(
      EndpointId endpointId,
      AccountId accountId,
      @Nullable String name,
      String url,
      List<String> eventTypes,
      EndpointStatus status,
      @Nullable String disabledReason,
      SigningSecrets secrets,
      Instant createdAt,
      Instant updatedAt,
      long version,
      @Nullable Instant statusChangedAt,
      @Nullable Instant urlChangedAt) {
    this(
        endpointId,
        accountId,
        name,
        url,
        eventTypes,
        status,
        disabledReason,
        secrets,
        createdAt,
        updatedAt,
        version,
        statusChangedAt,
        urlChangedAt,
        null);
  }

  public Endpoint {
    Objects.requireNonNull(endpointId, "endpoint_id");
    Objects.requireNonNull(accountId, "account_id");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(secrets, "secrets");
    eventTypes = List.copyOf(Objects.requireNonNull(eventTypes, "event_types"));
    if (rateLimit != null && rateLimit <= 0) {
      rateLimit = null; // 0 or less is no limit; kept absent so that the record stays as before
    }
  }

  /** Whether deliveries to this endpoint are paced by a rate limit of its own. */
  public boolean rateLimited() {
    return rateLimit != null;
  }

  /** The endpoint's own rate limit in events per second, or 0 for none. */
  public int perSecondLimit() {
    return rateLimit == null ? 0 : rateLimit;
  }

  /**
   * Whether this endpoint subscribed to {@code eventType}, whatever its status: it lists the type,
   * or {@code *} for any type outside the product's reserved {@code webhook.} namespace (those are
   * named one by one, so an endpoint written for the account's own events never gets Flintn's).
   */
  public boolean subscribesTo(String eventType) {
    return eventTypes.contains(eventType)
        || (eventTypes.contains(ALL_EVENT_TYPES) && !Event.isReservedType(eventType));
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
        urlChangedAt,
        rateLimit);
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
    return withSettings(newName, newUrl, newTypes, null, at);
  }

  /**
   * As {@link #withSettings(String, String, List, Instant)}, also setting the rate limit: null
   * keeps it, 0 removes it, a positive number sets it.
   */
  public Endpoint withSettings(
      @Nullable String newName,
      @Nullable String newUrl,
      @Nullable List<String> newTypes,
      @Nullable Integer newRateLimit,
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
        newUrlDiffers ? at : urlChangedAt,
        newRateLimit == null ? rateLimit : newRateLimit);
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
        urlChangedAt,
        rateLimit);
  }
}
