package com.flintn.webhooks.common.message;

import java.util.regex.Pattern;

/** Rules shared by the typed ids. */
final class Ids {
  /** Letters, digits, {@code _} and {@code -}, 1 to 128 characters (DESIGN §10). */
  static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private Ids() {}

  static String require(String kind, String value) {
    if (value == null || !SAFE_ID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          kind + " must be 1-128 letters, digits, '_' or '-', got " + Printable.quote(value));
    }
    return value;
  }
}
