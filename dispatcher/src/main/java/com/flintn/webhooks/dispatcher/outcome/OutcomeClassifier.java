package com.flintn.webhooks.dispatcher.outcome;

import com.flintn.webhooks.dispatcher.http.SendResult;
import com.flintn.webhooks.dispatcher.outcome.DeliveryOutcome.GiveUpReason;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
   * A {@code Retry-After} value as a delay from {@code now}: whole seconds, or an HTTP date in any
   * of the three forms RFC 9110 §5.6.7 requires a recipient to accept. A malformed value, or one in
   * the past, asks for nothing.
   */
  static Optional<Duration> parseRetryAfter(String header, Instant now) {
    String h = header.trim();
    if (h.matches("\\d{1,10}")) {
      long seconds = Long.parseLong(h);
      return seconds == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    }
    return parseHttpDate(h, now)
        .map(at -> Duration.between(now, at))
        .filter(d -> !d.isNegative() && !d.isZero());
  }

  /**
   * {@code Sunday, 06-Nov-94 08:49:37 GMT}: the obsolete RFC 850 form. The weekday is checked after
   * the century is settled, so it is read apart from the rest.
   */
  private static final Pattern RFC_850 =
      Pattern.compile("([A-Z][a-z]+day), (\\d{2}-[A-Z][a-z]{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}) GMT");

  private static final DateTimeFormatter RFC_850_DATE =
      new DateTimeFormatterBuilder()
          .appendPattern("dd-MMM-")
          .appendValueReduced(ChronoField.YEAR, 2, 2, 2000)
          .appendPattern(" HH:mm:ss")
          .toFormatter(Locale.US);

  /** {@code Sun Nov 6 08:49:37 1994}: ANSI C's asctime(), the day padded with a space. */
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

  /**
   * An HTTP date: the preferred IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}, parsed as RFC
   * 1123), the RFC 850 form or the asctime form. An RFC 850 year that would lie more than 50 years
   * after {@code now} is the most recent past year with the same last two digits (RFC 9110).
   */
  static Optional<Instant> parseHttpDate(String value, Instant now) {
    try {
      return Optional.of(
          ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      // not the preferred form; try the obsolete ones
    }
    Matcher rfc850 = RFC_850.matcher(value);
    if (rfc850.matches()) {
      try {
        LocalDateTime at = LocalDateTime.parse(rfc850.group(2), RFC_850_DATE);
        if (at.getYear() > now.atZone(ZoneOffset.UTC).getYear() + 50) {
          at = at.minusYears(100);
        }
        String weekday = at.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US);
        return weekday.equals(rfc850.group(1))
            ? Optional.of(at.toInstant(ZoneOffset.UTC))
            : Optional.empty();
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    try {
      return Optional.of(ZonedDateTime.parse(value, ASCTIME).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
