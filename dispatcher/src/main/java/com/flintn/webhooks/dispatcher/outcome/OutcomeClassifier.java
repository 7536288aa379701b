package com.flintn.webhooks.dispatcher.outcome;

import com.flintn.webhooks.dispatcher.http.SendResult;
import com.flintn.webhooks.dispatcher.outcome.DeliveryOutcome.GiveUpReason;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The delivery rules of the customer page (docs/design.md §4) in one place: 2xx is delivered; 3xx
 * is a failure (redirects are not followed) and retried; 408, 429 and 5xx are retried; every other
 * 4xx is given up at once; timeouts, connection and TLS failures are retried; a target refused by
 * the URL guard is given up. On 429 and 503 a {@code Retry-After} header (delay in seconds, or an
 * HTTP date) is passed on so the next attempt can be pushed later.
 */
public final class OutcomeClassifier {
  private OutcomeClassifier() {}

  public static DeliveryOutcome classify(SendResult result, Instant now) {
    return switch (result) {
      case SendResult.Response r -> byStatus(r.status(), r.retryAfter(), now);
      case SendResult.Failure f -> new DeliveryOutcome.RetryLater(f.kind().wireName());
      case SendResult.Refused u ->
          new DeliveryOutcome.GiveUp(GiveUpReason.UNSAFE_URL, "unsafe_url");
    };
  }

  static DeliveryOutcome byStatus(int status, Optional<String> retryAfter, Instant now) {
    String failure = "http_" + status;
    if (status >= 200 && status < 300) {
      return new DeliveryOutcome.Delivered();
    }
    if (status == 429 || status == 503) {
      return new DeliveryOutcome.RetryLater(
          failure, retryAfter.flatMap(h -> parseRetryAfter(h, now)));
    }
    if (status == 408 || status >= 500 || status < 400) {
      return new DeliveryOutcome.RetryLater(failure);
    }
    return new DeliveryOutcome.GiveUp(GiveUpReason.CLIENT_ERROR, failure);
  }

  /**
   * A {@code Retry-After} value as a delay from {@code now}: whole seconds, or an HTTP date. A
   * malformed value, or one in the past, asks for nothing.
   */
  static Optional<Duration> parseRetryAfter(String header, Instant now) {
    String h = header.trim();
    if (h.matches("\\d{1,10}")) {
      long seconds = Long.parseLong(h);
      return seconds == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    }
    try {
      Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() || d.isZero() ? Optional.empty() : Optional.of(d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
