package com.flintn.webhooks.common.time;

import java.time.LocalDateTime;
import org.jspecify.annotations.Nullable;

/**
 * The common form of ISO-8601 times, {@code 2026-12-06T10:00:00} with an optional fraction of 1-9
 * digits, read field by field. Events and attempt records carry times in this form; the general
 * {@code java.time} parsers and formatters cost more than the rest of reading or writing such a
 * record, so callers try this first and leave anything else to them.
 */
public final class PlainIso {
  private PlainIso() {}

  /** Where the fraction starts, after {@code yyyy-MM-ddTHH:mm:ss}. */
  public static final int FRACTION_AT = 19;

  /**
   * The date and time of {@code yyyy-MM-ddTHH:mm:ss} at the start of {@code s}, every field in
   * range (years 0000-9999); null if it is not there.
   */
  public static @Nullable LocalDateTime dateTime(String s) {
    if (s.length() < FRACTION_AT
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) {
      return null;
    }
    if (minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    if (day > DAYS_IN_MONTH[month - 1] || (month == 2 && day == 29 && !leap)) {
      return null;
    }
    return LocalDateTime.of(year, month, day, hour, minute, second);
  }

  /**
   * The end of the optional fraction ({@code .} and 1-9 digits) at {@link #FRACTION_AT}: that index
   * itself when there is none, -1 when it is malformed.
   */
  public static int fractionEnd(String s) {
    int i = FRACTION_AT;
    if (i >= s.length() || s.charAt(i) != '.') {
      return i;
    }
    int start = ++i;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i == start || i - start > 9 ? -1 : i;
  }

  /** The nanoseconds of the fraction that {@link #fractionEnd} found ending at {@code end}. */
  public static int nanos(String s, int end) {
    if (end == FRACTION_AT) {
      return 0;
    }
    int count = end - FRACTION_AT - 1;
    int f = digits(s, FRACTION_AT + 1, count);
    for (int i = count; i < 9; i++) {
      f *= 10;
    }
    return f;
  }

  /**
   * {@code time} (in UTC) and {@code nanos} as {@link java.time.Instant#toString} writes them: the
   * fraction in groups of three digits, none when zero, and a {@code Z}. The year must be
   * 0000-9999.
   */
  public static String utc(LocalDateTime time, int nanos) {
    char[] c = new char[30];
    put(c, 0, time.getYear(), 4);
    c[4] = '-';
    put(c, 5, time.getMonthValue(), 2);
    c[7] = '-';
    put(c, 8, time.getDayOfMonth(), 2);
    c[10] = 'T';
    put(c, 11, time.getHour(), 2);
    c[13] = ':';
    put(c, 14, time.getMinute(), 2);
    c[16] = ':';
    put(c, 17, time.getSecond(), 2);
    int n = FRACTION_AT;
    if (nanos != 0) {
      c[n++] = '.';
      if (nanos % 1_000_000 == 0) {
        put(c, n, nanos / 1_000_000, 3);
        n += 3;
      } else if (nanos % 1000 == 0) {
        put(c, n, nanos / 1000, 6);
        n += 6;
      } else {
        put(c, n, nanos, 9);
        n += 9;
      }
    }
    c[n++] = 'Z';
    return new String(c, 0, n);
  }

  /** The number written in {@code count} ASCII digits at {@code from}, or -1. */
  public static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static void put(char[] to, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      to[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  private static final int[] DAYS_IN_MONTH = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
}
