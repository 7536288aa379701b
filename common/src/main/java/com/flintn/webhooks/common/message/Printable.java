package com.flintn.webhooks.common.message;

/**
 * Renders untrusted input safely inside an error message: quoted, bounded, no control characters.
 */
public final class Printable {
  private static final int MAX = 80;

  private Printable() {}

  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder("'");
    int n = Math.min(value.length(), MAX);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : c);
    }
    if (value.length() > MAX) {
      sb.append("...");
    }
    return sb.append('\'').toString();
  }
}
