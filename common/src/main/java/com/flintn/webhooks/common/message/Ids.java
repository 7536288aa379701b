package com.flintn.webhooks.common.message;

import com.flintn.webhooks.common.time.PlainIso;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Rules shared by the typed ids and the event envelope. They run for every event the dispatcher
 * reads and every record it deserialises, so they are plain loops over the characters; the patterns
 * are kept as the readable definition, and the tests hold the loops to them.
 */
final class Ids {
  /** Letters, digits, {@code _} and {@code -}, 1 to 128 characters (docs/design.md §10). */
  static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  /** Dotted names such as {@code order.created}: 1 to 8 segments of 1 to 64 [A-Za-z0-9_-]. */
  static final Pattern EVENT_TYPE =
      Pattern.compile("[a-z0-9_-]{1,64}(\\.[a-z0-9_-]{1,64}){0,7}", Pattern.CASE_INSENSITIVE);

  private Ids() {}

  static String require(String kind, String value) {
    if (!isSafeId(value)) {
      throw new IllegalArgumentException(
          kind + " must be 1-128 letters, digits, '_' or '-', got " + Printable.quote(value));
    }
    return value;
  }

  /** Whether {@code value} matches {@link #SAFE_ID}. */
  static boolean isSafeId(String value) {
    if (value == null || value.isEmpty() || value.length() > 128) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      if (!isNameChar(value.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code value} matches {@link #EVENT_TYPE} and is at most 200 characters. */
  static boolean isEventType(String value) {
    if (value == null || value.length() > 200) {
      return false;
    }
    int segments = 1;
    int segment = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '.') {
        if (segment == 0 || ++segments > 8) {
          return false;
        }
        segment = 0;
      } else if (!isNameChar(c) || ++segment > 64) {
        return false;
      }
    }
    return segment > 0;
  }

  /**
   * Whether {@code value} is a time that {@link OffsetDateTime#parse} accepts. The common form,
   * {@code 2026-11-27T10:00:00Z} with an optional fraction and a {@code Z} or {@code ±hh:mm}
   * offset, is checked field by field; anything else goes to the full parser.
   */
  static boolean isOffsetDateTime(String value) {
    if (value == null) {
      return false;
    }
    if (isPlainOffsetDateTime(value)) {
      return true;
    }
    try {
      OffsetDateTime.parse(value);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:mm)} with every field in range; else false. */
  static boolean isPlainOffsetDateTime(String s) {
    int n = s.length();
    if (n < 20 || PlainIso.dateTime(s) == null) {
      return false;
    }
    int i = PlainIso.fractionEnd(s);
    if (i < 0) {
      return false;
    }
    if (i == n - 1) {
      return s.charAt(i) == 'Z';
    }
    if (i != n - 6 || (s.charAt(i) != '+' && s.charAt(i) != '-') || s.charAt(i + 3) != ':') {
      return false;
    }
    int offsetHours = PlainIso.digits(s, i + 1, 2);
    int offsetMinutes = PlainIso.digits(s, i + 4, 2);
    return offsetHours >= 0 && offsetHours <= 17 && offsetMinutes >= 0 && offsetMinutes <= 59;
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-';
  }
}
