package com.flintn.webhooks.common.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.message.Printable;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Validates raw records of {@code webhooks.events} against the envelope of DESIGN §3. Never throws
 * for bad input: every problem becomes an {@link ParsedEvent.Invalid} with a reason. Thread safe.
 */
public final class EventParser {
  public static final int DEFAULT_MAX_BYTES = 256 * 1024;
  private static final List<String> FIELDS =
      List.of("event_id", "event_type", "account_id", "created_at", "data");

  private final int maxBytes;

  public EventParser(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  public ParsedEvent parse(byte[] value) {
    if (value == null || value.length == 0) {
      return invalid(InvalidReason.EMPTY, "the record has no value");
    }
    if (value.length > maxBytes) {
      return invalid(
          InvalidReason.TOO_LARGE,
          "the event is " + value.length + " bytes; the limit is " + maxBytes);
    }
    JsonNode root;
    try {
      root = Json.mapper().readTree(value);
    } catch (StreamConstraintsException e) {
      return invalid(
          InvalidReason.TOO_DEEP, "JSON nested deeper than " + Json.MAX_NESTING_DEPTH + " levels");
    } catch (JsonProcessingException e) {
      return invalid(InvalidReason.NOT_JSON, "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return invalid(InvalidReason.NOT_JSON, "not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      return invalid(InvalidReason.NOT_AN_OBJECT, "the event must be a JSON object");
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String name = field.getKey();
      if (!FIELDS.contains(name)) {
        return invalid(
            InvalidReason.UNKNOWN_FIELD,
            "unknown field " + Printable.quote(name) + "; the envelope has " + FIELDS);
      }
    }
    for (String field : FIELDS) {
      if (!root.hasNonNull(field)) {
        return invalid(InvalidReason.MISSING_FIELD, "missing field " + field);
      }
    }
    for (String field : FIELDS.subList(0, 4)) {
      if (!root.get(field).isTextual()) {
        return invalid(InvalidReason.INVALID_FIELD, field + " must be a string");
      }
    }
    if (!root.get("data").isObject()) {
      return invalid(InvalidReason.INVALID_FIELD, "data must be a JSON object");
    }
    Event event;
    try {
      event =
          new Event(
              new EventId(root.get("event_id").textValue()),
              root.get("event_type").textValue(),
              new AccountId(root.get("account_id").textValue()),
              root.get("created_at").textValue(),
              (ObjectNode) root.get("data"));
    } catch (IllegalArgumentException e) {
      return invalid(InvalidReason.INVALID_FIELD, e.getMessage());
    }
    return new ParsedEvent.Valid(event, Json.bytes(event));
  }

  private static ParsedEvent invalid(InvalidReason reason, String detail) {
    return new ParsedEvent.Invalid(reason, detail);
  }
}
