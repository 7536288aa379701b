package com.flintn.webhooks.common.message;

/**
 * Renders untrusted input safely inside an error message or a header: bounded, on one line, and
 * with every character that could move a terminal's cursor, break a line or reorder text (control,
 * format and line or paragraph separator characters) written as a {@code \\uXXXX} escape.
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
      sb.append(unsafe(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    if (value.length() > n) {
      sb.append("...");
    }
    return sb.toString();
  }

  private static boolean unsafe(char c) {
    if (Character.isISOControl(c)) {
      return true;
    }
    int type = Character.getType(c);
    return type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
