package com.flintn.webhooks.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventParserTest {
  private static final String GOOD =
      "{\"event_id\":\"evt_1\",\"event_type\":\"order.created\",\"account_id\":\"acc_1\","
          + "\"created_at\":\"2026-11-27T10:00:00Z\",\"data\":{\"amount\":1250}}";
  private final EventParser parser = new EventParser(EventParser.DEFAULT_MAX_BYTES);

  @Test
  void acceptsTheEnvelopeAndKeepsItsBytes() {
    ParsedEvent p = parser.parse(GOOD.getBytes(StandardCharsets.UTF_8));
    assertThat(p).isInstanceOf(ParsedEvent.Valid.class);
    assertThat(new String(((ParsedEvent.Valid) p).body(), StandardCharsets.UTF_8)).isEqualTo(GOOD);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("", InvalidReason.EMPTY),
        Arguments.of("not json", InvalidReason.NOT_JSON),
        Arguments.of("{\"event_id\":", InvalidReason.NOT_JSON),
        Arguments.of("[1,2]", InvalidReason.NOT_AN_OBJECT),
        Arguments.of("\"text\"", InvalidReason.NOT_AN_OBJECT),
        Arguments.of(GOOD.replace("\"account_id\":\"acc_1\",", ""), InvalidReason.MISSING_FIELD),
        Arguments.of(GOOD.replace("\"evt_1\"", "\"evt.1\""), InvalidReason.INVALID_FIELD),
        Arguments.of(GOOD.replace("\"evt_1\"", "\"evt\\u00001\""), InvalidReason.INVALID_FIELD),
        Arguments.of(GOOD.replace("\"evt_1\"", "42"), InvalidReason.INVALID_FIELD),
        Arguments.of(
            GOOD.replace("\"evt_1\"", "\"" + "e".repeat(129) + "\""), InvalidReason.INVALID_FIELD),
        Arguments.of(
            GOOD.replace("2026-11-27T10:00:00Z", "yesterday"), InvalidReason.INVALID_FIELD),
        Arguments.of(GOOD.replace("order.created", "order created"), InvalidReason.INVALID_FIELD),
        Arguments.of(GOOD.replace("{\"amount\":1250}", "[1]"), InvalidReason.INVALID_FIELD),
        Arguments.of(
            GOOD.replace("{\"event_id\"", "{\"extra\":1,\"event_id\""),
            InvalidReason.UNKNOWN_FIELD),
        Arguments.of(
            GOOD.replace("{\"event_id\":\"evt_1\"", "{\"event_id\":\"a\",\"event_id\":\"b\""),
            InvalidReason.NOT_JSON),
        Arguments.of(
            GOOD.replace("{\"amount\":1250}", "[".repeat(10_000) + "]".repeat(10_000)),
            InvalidReason.TOO_DEEP),
        Arguments.of(
            GOOD.replace("1250", "\"" + "x".repeat(300_000) + "\""), InvalidReason.TOO_LARGE));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void refusesWithAReason(String value, InvalidReason reason) {
    ParsedEvent p = parser.parse(value.getBytes(StandardCharsets.UTF_8));
    assertThat(p).isInstanceOf(ParsedEvent.Invalid.class);
    assertThat(((ParsedEvent.Invalid) p).reason()).isEqualTo(reason);
    assertThat(((ParsedEvent.Invalid) p).detail()).isNotBlank().hasSizeLessThan(400);
  }
}
