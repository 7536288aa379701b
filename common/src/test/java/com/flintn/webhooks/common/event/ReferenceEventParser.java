package com.flintn.webhooks.common.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.json.BeanEventJson;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.message.Printable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The event parser as it was before its ASCII fast path, kept unchanged so that {@link
 * EventParserDifferentialTest} can hold the current {@link EventParser} to the exact verdicts,
 * reasons, details and bodies of this one. Every record goes through the UTF-8 decoder, a String,
 * Jackson's char-based parser, and the body is written by Jackson's bean serializer.
 */
final class ReferenceEventParser {
  private static final int MAX_DETAIL_CHARS = 300;
  private static final List<String> FIELDS =
      List.of("event_id", "event_type", "account_id", "created_at", "data");

  private final int maxBytes;

  ReferenceEventParser(int maxBytes) {
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
    CharBuffer chars = CharBuffer.allocate(value.length); // UTF-8 has no more chars than bytes
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer bytes = ByteBuffer.wrap(value);
    CoderResult decoded = utf8.decode(bytes, chars, true);
    if (decoded.isError()) {
      return invalid(
          InvalidReason.NOT_JSON, "not UTF-8: malformed byte sequence at byte " + bytes.position());
    }
    utf8.flush(chars);
    String text = chars.flip().toString();
    if (text.indexOf('\u0000') >= 0) {
      return invalid(
          InvalidReason.NOT_JSON,
          "not valid JSON: it holds NUL bytes (UTF-16 or UTF-32 text?); events are UTF-8 JSON");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    JsonNode root;
    try (JsonParser p = Json.mapper().createParser(text)) {
      root = Json.mapper().readTree(p);
      if (root != null && p.nextToken() != null) {
        return invalid(
            InvalidReason.NOT_JSON,
            "not valid JSON: more content after the event, at character "
                + (p.currentTokenLocation().getCharOffset() + 1));
      }
    } catch (StreamConstraintsException e) {
      String limit = String.valueOf(e.getOriginalMessage()).replaceAll(", from `[^`]*`", "");
      if (limit.contains("nesting depth")) {
        return invalid(
            InvalidReason.TOO_DEEP,
            "JSON nested deeper than " + Json.MAX_NESTING_DEPTH + " levels");
      }
      return invalid(InvalidReason.TOO_LARGE, "part of the event is too long: " + limit);
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
      return invalid(InvalidReason.INVALID_FIELD, Printable.message(e));
    }
    return new ParsedEvent.Valid(event, BeanEventJson.bytes(event));
  }

  /** The detail may quote the record (a parser's view of a bad token): one bounded safe line. */
  private static ParsedEvent invalid(InvalidReason reason, String detail) {
    return new ParsedEvent.Invalid(reason, Printable.line(detail, MAX_DETAIL_CHARS));
  }
}
