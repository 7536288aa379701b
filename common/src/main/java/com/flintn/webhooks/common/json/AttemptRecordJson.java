package com.flintn.webhooks.common.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.DeliveryId;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.time.PlainIso;
import java.io.IOException;
import java.io.Serial;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The attempt record's JSON, written and read field by field. Every delivery writes one and the
 * admin reads every one (docs/design.md §12): Jackson's general bean handling (reflection on each
 * accessor and constructor, a general-purpose time parser) was the largest part of both. The wire
 * form is exactly what the annotations on {@link AttemptRecord} describe, and tests compare the
 * two; unknown fields are skipped, as everywhere in our own messages.
 */
final class AttemptRecordJson {
  private AttemptRecordJson() {}

  static SimpleModule module() {
    SimpleModule m = new SimpleModule("attempt-records");
    m.addSerializer(AttemptRecord.class, new Writer());
    m.addDeserializer(AttemptRecord.class, new Reader());
    return m;
  }

  static final class Writer extends StdSerializer<AttemptRecord> {
    @Serial private static final long serialVersionUID = 1L;

    Writer() {
      super(AttemptRecord.class);
    }

    @Override
    public void serialize(AttemptRecord a, JsonGenerator g, SerializerProvider provider)
        throws IOException {
      g.writeStartObject();
      g.writeStringField("delivery_id", a.deliveryId().value());
      g.writeStringField("event_id", a.eventId().value());
      if (a.eventType() != null) {
        g.writeStringField("event_type", a.eventType());
      }
      g.writeStringField("endpoint_id", a.endpointId().value());
      if (a.accountId() != null) {
        g.writeStringField("account_id", a.accountId().value());
      }
      g.writeNumberField("attempt", a.attempt());
      g.writeStringField("started_at", iso(a.startedAt()));
      g.writeNumberField("duration_ms", a.durationMs());
      if (a.status() != null) {
        g.writeNumberField("status", a.status().intValue());
      }
      if (a.error() != null) {
        g.writeStringField("error", a.error());
      }
      if (a.detail() != null) {
        g.writeStringField("detail", a.detail());
      }
      if (a.responseExcerpt() != null) {
        g.writeStringField("response_excerpt", a.responseExcerpt());
      }
      g.writeStringField("outcome", a.outcome().wireName());
      g.writeEndObject();
    }
  }

  static final class Reader extends StdDeserializer<AttemptRecord> {
    @Serial private static final long serialVersionUID = 1L;

    Reader() {
      super(AttemptRecord.class);
    }

    @Override
    @SuppressWarnings("NullAway") // missing required fields are refused by the record's constructor
    public AttemptRecord deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (!p.isExpectedStartObjectToken()) {
        return (AttemptRecord) ctxt.handleUnexpectedToken(AttemptRecord.class, p);
      }
      String deliveryId = null;
      String eventId = null;
      String eventType = null;
      String endpointId = null;
      String accountId = null;
      int attempt = 0;
      Instant startedAt = null;
      long durationMs = 0;
      Integer status = null;
      String error = null;
      String detail = null;
      String excerpt = null;
      String outcome = null;
      for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
        JsonToken t = p.nextToken();
        switch (name) {
          case "delivery_id" -> deliveryId = text(p, t, name);
          case "event_id" -> eventId = text(p, t, name);
          case "event_type" -> eventType = text(p, t, name);
          case "endpoint_id" -> endpointId = text(p, t, name);
          case "account_id" -> accountId = text(p, t, name);
          case "attempt" -> attempt = number(p, t, name).intValue();
          case "started_at" -> startedAt = instant(p, t, ctxt);
          case "duration_ms" -> durationMs = number(p, t, name).longValue();
          case "status" ->
              status = t == JsonToken.VALUE_NULL ? null : number(p, t, name).intValue();
          case "error" -> error = text(p, t, name);
          case "detail" -> detail = text(p, t, name);
          case "response_excerpt" -> excerpt = text(p, t, name);
          case "outcome" -> outcome = text(p, t, name);
          default -> p.skipChildren();
        }
      }
      try {
        return new AttemptRecord(
            deliveryId == null ? null : new DeliveryId(deliveryId),
            eventId == null ? null : new EventId(eventId),
            eventType,
            endpointId == null ? null : new EndpointId(endpointId),
            accountId == null ? null : new AccountId(accountId),
            attempt,
            startedAt,
            durationMs,
            status,
            error,
            detail,
            excerpt,
            outcome == null ? null : outcome(outcome));
      } catch (RuntimeException e) {
        throw JsonMappingException.from(p, "not an attempt record: " + e.getMessage(), e);
      }
    }

    private static AttemptOutcome outcome(String wire) {
      return AttemptOutcome.valueOf(wire.toUpperCase(Locale.ROOT));
    }

    private static @Nullable String text(JsonParser p, JsonToken t, String name)
        throws IOException {
      if (t == JsonToken.VALUE_NULL) {
        return null;
      }
      if (t != JsonToken.VALUE_STRING) {
        throw JsonMappingException.from(p, name + " must be a string");
      }
      return p.getText();
    }

    private static Number number(JsonParser p, JsonToken t, String name) throws IOException {
      if (t == JsonToken.VALUE_NULL) {
        throw JsonMappingException.from(p, name + " must not be null");
      }
      if (t != JsonToken.VALUE_NUMBER_INT) {
        throw JsonMappingException.from(p, name + " must be a whole number");
      }
      return p.getNumberValue();
    }

    private static @Nullable Instant instant(JsonParser p, JsonToken t, DeserializationContext ctxt)
        throws IOException {
      if (t == JsonToken.VALUE_NULL) {
        return null;
      }
      if (t == JsonToken.VALUE_STRING) {
        Instant fast = plainUtc(p.getText());
        if (fast != null) {
          return fast;
        }
      }
      return InstantDeserializer.INSTANT.deserialize(p, ctxt);
    }
  }

  /**
   * {@code 2026-12-06T10:00:00Z} with an optional fraction of 1-9 digits, as {@link
   * Instant#toString} writes it for years 0000-9999; null for anything else (the general parser
   * decides).
   */
  static @Nullable Instant plainUtc(String s) {
    int n = s.length();
    if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z') {
      return null;
    }
    LocalDateTime time = PlainIso.dateTime(s);
    int end = PlainIso.fractionEnd(s);
    if (time == null || end != n - 1) {
      return null;
    }
    return time.toInstant(ZoneOffset.UTC).plusNanos(PlainIso.nanos(s, end));
  }

  /**
   * What {@link Instant#toString} writes (ISO-8601 in UTC, the fraction in groups of three digits,
   * none when zero), without its general-purpose formatter for the years 0000-9999.
   */
  static String iso(Instant t) {
    long seconds = t.getEpochSecond();
    if (seconds < -62_167_219_200L || seconds > 253_402_300_799L) {
      return t.toString();
    }
    return PlainIso.utc(LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC), t.getNano());
  }
}
