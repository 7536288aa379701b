package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/** The optional fields of JSON request bodies and query parameters, each refused with why. */
final class RequestFields {
  private RequestFields() {}

  /** A body field that is true, false, or absent (false); anything else is a 422. */
  static boolean bool(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw ApiError.invalid(field + " must be true or false");
    }
    return v.booleanValue();
  }

  /** A body field that is a string, or absent (null); anything else is a 422. */
  static @Nullable String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw ApiError.invalid(field + " must be a string");
    }
    return v.asText();
  }

  /** The {@code limit} query parameter: 1 to {@code max}, {@code byDefault} if absent, else 400. */
  static int limit(@Nullable String text, int byDefault, int max) {
    if (text == null) {
      return byDefault;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.badRequest("limit must be a whole number from 1 to " + max);
  }
}
