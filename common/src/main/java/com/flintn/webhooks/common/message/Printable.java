package com.flintn.webhooks.common.message;

import java.util.Objects;

/**
 * Renders untrusted input safely inside an error message or a header: bounded, on one line, and
 * with every character that could move a terminal's cursor, break a line or reorder text (control,
 * format and line or paragraph separator characters, unpaired surrogates) written as a {@code
 * \\uXXXX} escape; and says whether a text is free of them.
 */
public final class Printable {
  private static final int MAX = 80;

  private Printable() {}

  /** {@code value} quoted, at most 80 characters of it. */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    return "'" + escaped(value, MAX) + "'";
  }

  /** {@code text} as one printable line of at most {@code max} characters of the original. */
  public static String line(String text, int max) {
    return text == null ? "null" : escaped(text, max);
  }

  private static String escaped(String value, int max) {
    StringBuilder sb = new StringBuilder();
    int n = Math.min(value.length(), max);
    if (n < value.length() && Character.isHighSurrogate(value.charAt(n - 1))) {
      n--; // never cut a character in half
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      boolean escape = unsafeAt(value, i) || Character.getType(c) == Character.FORMAT;
      sb.append(escape ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    if (value.length() > n) {
      sb.append("...");
    }
    return sb.toString();
  }

  /**
   * Whether {@code value} is text that shows as it reads on one line: no control characters (C0,
   * DEL, C1), no line or paragraph separators, no bidirectional overrides or isolates, no unpaired
   * surrogates.
   */
  public static boolean isPlainText(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (unsafeAt(value, i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean unsafeAt(String s, int i) {
    char c = s.charAt(i);
    if (Character.isISOControl(c)) {
      return true;
    }
    int type = Character.getType(c);
    if (type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
      return true;
    }
    if ((c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')) {
      return true; // embeddings, overrides and isolates reorder what is shown
    }
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }
    return false;
  }

  /**
   * The message of {@code e} for an error line, or its class name when it has none (a
   * NullPointerException without a helpful message, a bare IOException).
   */
  public static String message(Throwable e) {
    return Objects.requireNonNullElse(e.getMessage(), e.getClass().getName());
  }
}
