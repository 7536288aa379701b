package com.flintn.webhooks.admin.dlq;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the times of {@code --since} and {@code --until}: an ISO-8601 time with offset ({@code
 * 2026-11-27T10:00:00Z}), a date ({@code 2026-11-27}, midnight UTC), or an age before now ({@code
 * 90s}, {@code 30m}, {@code 2h}, {@code 7d}).
 */
public final class TimeSpec {
  private static final Pattern AGE = Pattern.compile("([0-9]{1,9})(s|m|h|d|w)");

  private TimeSpec() {}

  /**
   * @throws IllegalArgumentException saying which forms are accepted
   */
  public static Instant parse(String text, Clock clock) {
    Instant at = parseUnbounded(text, clock);
    if (at.isBefore(Instant.EPOCH) || at.isAfter(LATEST)) {
      throw new IllegalArgumentException("'" + shown(text.strip()) + "' is outside 1970 to 9999");
    }
    return at;
  }

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private static String shown(String t) {
    return t.length() > 40 ? t.substring(0, 40) + "..." : t;
  }

  private static Instant parseUnbounded(String text, Clock clock) {
    String t = text.strip();
    Matcher m = AGE.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
          };
      try {
        return clock.instant().minus(d);
      } catch (DateTimeException | ArithmeticException e) {
        return Instant.MIN; // refused by the range check
      }
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException notDateTime) {
      try {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException notDate) {
        throw new IllegalArgumentException(
            "'"
                + shown(t)
                + "' is not a time: use 2026-11-27T10:00:00Z, 2026-11-27, or an age such as 30m,"
                + " 2h or 7d");
      }
    }
  }
}
