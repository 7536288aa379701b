package com.flintn.webhooks.common.message;

/**
 * Renders untrusted input safely inside an error message: quoted, bounded, with control characters,
 * line and paragraph separators, direction overrides and unpaired surrogates escaped; and says
 * whether a text is free of them.
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
    if (n < value.length() && Character.isHighSurrogate(value.charAt(n - 1))) {
      n--; // never cut a pair in two
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      sb.append(unsafeAt(value, i) ? String.format("\\u%04x", (int) c) : c);
    }
    if (value.length() > MAX) {
      sb.append("...");
    }
    return sb.append('\'').toString();
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
}
