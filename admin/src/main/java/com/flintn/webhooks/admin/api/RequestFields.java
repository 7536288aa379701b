package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.common.json.Json;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;
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

  /**
   * The request body as a JSON object: empty is {@code {}}; not JSON or not an object is a 400; a
   * field outside {@code fields} is a 422 that lists {@code named}.
   */
  static JsonNode object(byte[] bytes, Set<String> fields, String named) {
    if (bytes.length == 0) {
      return Json.mapper().createObjectNode();
    }
    JsonNode o;
    try {
      o = Json.mapper().readTree(bytes);
    } catch (JacksonException ex) {
      throw ApiError.badRequest("the body is not valid JSON");
    } catch (IOException ex) {
      throw ApiError.badRequest("the body could not be read");
    }
    if (o == null || !o.isObject()) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) {
        throw ApiError.invalid(
            "unknown field '"
                + (f.length() > 40 ? f.substring(0, 40) + "..." : f)
                + "'; the fields are "
                + named);
      }
    }
    return o;
  }
}
