package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One event on its way to one endpoint: what the retry tiers, {@code webhooks.deliveries.due} and
 * the dead-letter topic carry.
 *
 * @param attempt the number of the attempt this record asks for, 1 to 5
 * @param firstAttemptAt when attempt 1 started; null before it has
 * @param lastFailure the status or error of the previous attempt; null on attempt 1
 * @param origin the event's record on {@code webhooks.events}, carried through every retry so a
 *     dead letter can name it; null for deliveries that did not come from there (test events)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Delivery(
    @JsonProperty("delivery_id") DeliveryId deliveryId,
    @JsonProperty("endpoint_id") EndpointId endpointId,
    @JsonProperty("attempt") int attempt,
    @JsonProperty("first_attempt_at") @Nullable Instant firstAttemptAt,
    @JsonProperty("last_failure") @Nullable String lastFailure,
    @JsonProperty("event") Event event,
    @JsonProperty("origin") @Nullable Origin origin) {
  private static final MessageDigest SHA_256 = newSha256();

  public static final int MAX_ATTEMPTS = 5;

  public Delivery {
    Objects.requireNonNull(deliveryId, "delivery_id");
    Objects.requireNonNull(endpointId, "endpoint_id");
    Objects.requireNonNull(event, "event");
    if (attempt < 1 || attempt > MAX_ATTEMPTS) {
      throw new IllegalArgumentException("attempt must be 1.." + MAX_ATTEMPTS + ", got " + attempt);
    }
  }

  /** The first attempt of {@code event} for {@code endpoint}. */
  public static Delivery first(Event event, EndpointId endpoint, @Nullable Origin origin) {
    return new Delivery(idFor(event.eventId(), endpoint), endpoint, 1, null, null, event, origin);
  }

  /**
   * The delivery id is derived from the event id and the endpoint id, so a redelivery of the same
   * event (after a crash or a replay) carries the same id and duplicates can be counted.
   */
  public static DeliveryId idFor(EventId event, EndpointId endpoint) {
    MessageDigest sha256;
    try {
      sha256 = (MessageDigest) SHA_256.clone(); // cheaper than a provider lookup per delivery
    } catch (CloneNotSupportedException e) {
      sha256 = newSha256();
    }
    byte[] digest =
        sha256.digest((event.value() + "\n" + endpoint.value()).getBytes(StandardCharsets.UTF_8));
    return new DeliveryId(
        "dlv_" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 26));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** The record asking for the next attempt after this one failed with {@code failure}. */
  public Delivery next(Instant firstAttemptStartedAt, String failure) {
    return new Delivery(
        deliveryId, endpointId, attempt + 1, firstAttemptStartedAt, failure, event, origin);
  }

  /** This delivery as given up after its latest attempt. */
  public Delivery failedWith(Instant firstAttemptStartedAt, String failure) {
    return new Delivery(
        deliveryId, endpointId, attempt, firstAttemptStartedAt, failure, event, origin);
  }
}
