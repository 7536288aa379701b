package com.flintn.webhooks.common.event;

import com.fasterxml.jackson.core.JsonParser;
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
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Validates raw records of {@code webhooks.events} against the envelope of docs/design.md §3. Never
 * throws for bad input: every problem becomes an {@link ParsedEvent.Invalid} with a reason and a
 * detail of one printable line. Thread safe.
 *
 * <p>An event is exactly one JSON object in UTF-8 (RFC 8259), optionally after a byte order mark:
 * text in another encoding (UTF-16, UTF-32, Latin-1), malformed UTF-8, and anything after the
 * object but white space are refused as {@code not_json} rather than guessed at, since a guess
 * would deliver something other than what was sent, or drop a second event silently.
 *
 * <p>Nearly every record is plain ASCII: those bytes are parsed as they are, with no decoding to a
 * String first (docs/design.md §12). Anything else (non-ASCII text, a byte order mark, NUL bytes)
 * and any record Jackson refuses is read through the decoder, so every verdict and detail is the
 * same whichever way a record goes.
 */
public final class EventParser {
  public static final int DEFAULT_MAX_BYTES = 256 * 1024;
  private static final int MAX_DETAIL_CHARS = 300;
  private static final List<String> FIELDS =
      List.of("event_id", "event_type", "account_id", "created_at", "data");
  private static final int DATA = 4;

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
    if (isPlainAscii(value)) {
      ParsedEvent fast = parseAscii(value);
      if (fast != null) {
        return fast;
      }
    }
    return parseText(value);
  }

  /**
   * Whether every byte is ASCII and none is NUL: then the bytes are already the text, with no byte
   * order mark and no other encoding to refuse, and byte offsets are character offsets.
   */
  private static boolean isPlainAscii(byte[] value) {
    for (byte b : value) {
      if (b <= 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads ASCII bytes with Jackson's byte-based parser, without decoding them to a String first.
   * Null when Jackson refuses them: its byte and char parsers word some messages differently, so
   * such a record is read again by {@link #parseText} and refused with the same detail as always.
   */
  private static @Nullable ParsedEvent parseAscii(byte[] value) {
    JsonNode root;
    try (JsonParser p = Json.mapper().createParser(value)) {
      root = Json.mapper().readTree(p);
      if (root != null && p.nextToken() != null) {
        // A byte source has no char offset; in ASCII text the byte offset is the same number.
        return moreContent(p.currentTokenLocation().getByteOffset());
      }
    } catch (IOException e) {
      return null;
    }
    return envelope(root);
  }

  /** Any record: decoded as UTF-8 to text, refused if it is not, then parsed. */
  private static ParsedEvent parseText(byte[] value) {
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
        return moreContent(p.currentTokenLocation().getCharOffset());
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
    return envelope(root);
  }

  private static ParsedEvent moreContent(long offset) {
    return invalid(
        InvalidReason.NOT_JSON,
        "not valid JSON: more content after the event, at character " + (offset + 1));
  }

  /** Checks the envelope's fields and writes the body every delivery of the event POSTs. */
  private static ParsedEvent envelope(@Nullable JsonNode root) {
    if (root == null || !root.isObject()) {
      return invalid(InvalidReason.NOT_AN_OBJECT, "the event must be a JSON object");
    }
    // One pass over the fields; the checks then run in the order of FIELDS, as they always have.
    JsonNode[] values = new JsonNode[FIELDS.size()];
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String name = field.getKey();
      int at = FIELDS.indexOf(name);
      if (at < 0) {
        return invalid(
            InvalidReason.UNKNOWN_FIELD,
            "unknown field " + Printable.quote(name) + "; the envelope has " + FIELDS);
      }
      values[at] = field.getValue();
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null || values[i].isNull()) {
        return invalid(InvalidReason.MISSING_FIELD, "missing field " + FIELDS.get(i));
      }
    }
    for (int i = 0; i < DATA; i++) {
      if (!values[i].isTextual()) {
        return invalid(InvalidReason.INVALID_FIELD, FIELDS.get(i) + " must be a string");
      }
    }
    if (!(values[DATA] instanceof ObjectNode data)) {
      return invalid(InvalidReason.INVALID_FIELD, "data must be a JSON object");
    }
    Event event;
    try {
      event =
          new Event(
              new EventId(values[0].textValue()),
              values[1].textValue(),
              new AccountId(values[2].textValue()),
              values[3].textValue(),
              data);
    } catch (IllegalArgumentException e) {
      return invalid(InvalidReason.INVALID_FIELD, Printable.message(e));
    }
    return new ParsedEvent.Valid(event, Json.bytes(event));
  }

  /** The detail may quote the record (a parser's view of a bad token): one bounded safe line. */
  private static ParsedEvent invalid(InvalidReason reason, String detail) {
    return new ParsedEvent.Invalid(reason, Printable.line(detail, MAX_DETAIL_CHARS));
  }
}
