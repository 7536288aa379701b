package com.flintn.webhooks.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.json.JsonSerde;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointId;
import java.nio.charset.Charset;
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
            GOOD.replace("1250", "\"" + "x".repeat(300_000) + "\""), InvalidReason.TOO_LARGE),
        Arguments.of(GOOD.replace("1250", "1" + "0".repeat(2000)), InvalidReason.TOO_LARGE),
        Arguments.of(GOOD + "{}", InvalidReason.NOT_JSON),
        Arguments.of(GOOD + GOOD.replace("evt_1", "evt_2"), InvalidReason.NOT_JSON),
        Arguments.of(GOOD + " x", InvalidReason.NOT_JSON),
        Arguments.of(GOOD.replace("1250", "\"a\u0001b\""), InvalidReason.NOT_JSON));
  }

  static Stream<Arguments> notUtf8() {
    byte[] good = GOOD.getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        Arguments.of("UTF-16LE", GOOD.getBytes(StandardCharsets.UTF_16LE)),
        Arguments.of("UTF-16BE", GOOD.getBytes(StandardCharsets.UTF_16BE)),
        Arguments.of("UTF-16 with BOM", GOOD.getBytes(StandardCharsets.UTF_16)),
        Arguments.of("UTF-32", GOOD.getBytes(Charset.forName("UTF-32BE"))),
        Arguments.of(
            "Latin-1", GOOD.replace("1250", "\"caf\u00e9\"").getBytes(StandardCharsets.ISO_8859_1)),
        Arguments.of("0xFF", replaceByte(good, '5', 0xFF)),
        Arguments.of("overlong", splice(good, new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'})),
        Arguments.of(
            "encoded surrogate",
            splice(good, new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'})),
        Arguments.of(
            "cut sequence", splice(good, new byte[] {'"', (byte) 0xE2, (byte) 0x82, '"'})));
  }

  @ParameterizedTest
  @MethodSource("notUtf8")
  void refusesTextThatIsNotUtf8(String what, byte[] value) {
    ParsedEvent p = parser.parse(value);
    assertThat(p).as(what).isInstanceOf(ParsedEvent.Invalid.class);
    assertThat(((ParsedEvent.Invalid) p).reason()).as(what).isEqualTo(InvalidReason.NOT_JSON);
  }

  @Test
  void acceptsAByteOrderMarkAndWhiteSpaceAroundTheObject() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = (" \n" + GOOD + "\t\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] value = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, value, 0, bom.length);
    System.arraycopy(body, 0, value, bom.length, body.length);
    ParsedEvent p = parser.parse(value);
    assertThat(p).isInstanceOf(ParsedEvent.Valid.class);
    assertThat(new String(((ParsedEvent.Valid) p).body(), StandardCharsets.UTF_8)).isEqualTo(GOOD);
  }

  @Test
  void numbersReachTheBodyWithTheirExactValueAndScaleAlsoOnRetries() {
    String data =
        "{\"amount\":12.50,\"huge\":1E+400,\"precise\":0.1000000000000000055511151231257827,"
            + "\"big\":123456789012345678901234567890,\"neg\":-0.001}";
    String event = GOOD.replace("{\"amount\":1250}", data);
    ParsedEvent.Valid p = (ParsedEvent.Valid) parser.parse(event.getBytes(StandardCharsets.UTF_8));
    assertThat(new String(p.body(), StandardCharsets.UTF_8)).isEqualTo(event);
    // A retry reads the event back from a delivery record and must send the same bytes.
    var delivery = Delivery.first(p.event(), EndpointId.of("ep_1"), null);
    var serde = new JsonSerde<>(Delivery.class);
    var back = serde.deserialize("t", serde.serialize("t", delivery));
    assertThat(Json.bytes(back.event())).isEqualTo(p.body());
  }

  @Test
  void theDetailIsOneBoundedPrintableLineWhateverTheInput() {
    String hostile = "{\"a\":tru\u001b[2J\u0085\u009b31m\u202e" + "x".repeat(5000) + "}";
    ParsedEvent.Invalid p =
        (ParsedEvent.Invalid) parser.parse(hostile.getBytes(StandardCharsets.UTF_8));
    assertThat(p.detail()).hasSizeLessThan(400).doesNotContain("\u001b", "\u0085", "\u009b");
    assertThat(p.detail().chars().noneMatch(Character::isISOControl)).isTrue();
    assertThat(p.detail()).contains("\\u001b").doesNotContain("\u202e");
  }

  private static byte[] replaceByte(byte[] value, char from, int to) {
    byte[] copy = value.clone();
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] == from) {
        copy[i] = (byte) to;
        return copy;
      }
    }
    throw new IllegalArgumentException("no " + from);
  }

  /** {@code GOOD} with its amount replaced by {@code raw} bytes. */
  private static byte[] splice(byte[] good, byte[] raw) {
    String text = new String(good, StandardCharsets.UTF_8);
    int at = text.indexOf("1250");
    byte[] out = new byte[good.length - 4 + raw.length];
    System.arraycopy(good, 0, out, 0, at);
    System.arraycopy(raw, 0, out, at, raw.length);
    System.arraycopy(good, at + 4, out, at + raw.length, good.length - at - 4);
    return out;
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
