package com.flintn.webhooks.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The parser against {@link ReferenceEventParser}, its previous implementation, on a generated
 * corpus of valid and malformed records: the same verdict, reason and detail for every record, and
 * for a valid one the same event and the same body bytes.
 */
class EventParserDifferentialTest {

  @Test
  void everyRecordGetsTheVerdictDetailAndBodyOfThePreviousParser() {
    EventParser parser = new EventParser(EventParser.DEFAULT_MAX_BYTES);
    ReferenceEventParser reference = new ReferenceEventParser(EventParser.DEFAULT_MAX_BYTES);
    List<EventCorpus.Case> corpus = EventCorpus.all();
    Map<String, int[]> counts = new TreeMap<>(); // kind -> {valid, invalid, ascii}
    for (EventCorpus.Case c : corpus) {
      String expected = verdict(reference, c.value());
      String actual = verdict(parser, c.value());
      assertThat(actual).as("%s: %s", c.kind(), shown(c.value())).isEqualTo(expected);
      if (expected.startsWith("valid")) {
        // The text above compares the data as JSON; this compares its nodes (types, scales).
        assertThat(((ParsedEvent.Valid) parser.parse(c.value())).event())
            .isEqualTo(((ParsedEvent.Valid) reference.parse(c.value())).event());
      }
      int[] n = counts.computeIfAbsent(c.kind(), k -> new int[3]);
      n[expected.startsWith("valid") ? 0 : 1]++;
      n[2] += isAscii(c.value()) ? 1 : 0;
    }
    StringBuilder report = new StringBuilder("corpus of " + corpus.size() + " records:\n");
    counts.forEach(
        (kind, n) ->
            report.append(
                String.format(
                    "  %-18s %6d valid %6d invalid %6d plain ASCII%n", kind, n[0], n[1], n[2])));
    System.out.print(report);
    assertThat(counts.get("valid envelope")[0]).isGreaterThan(300);
    assertThat(corpus).hasSizeGreaterThan(10_000);
  }

  @Test
  void aStringBeyondJacksonsLengthLimitIsRefusedTheSameWay() {
    int limit = 21_000_000;
    String big = "{\"event_id\":\"e\",\"data\":{\"s\":\"" + "x".repeat(20_000_001) + "\"}}";
    byte[] value = big.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    String expected = verdict(new ReferenceEventParser(limit), value);
    assertThat(verdict(new EventParser(limit), value)).isEqualTo(expected).contains("too long");
  }

  @Test
  void theSizeLimitIsTheSame() {
    byte[] value = EventCorpus.BENCH.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (int limit : new int[] {1, value.length - 1, value.length}) {
      assertThat(verdict(new EventParser(limit), value))
          .isEqualTo(verdict(new ReferenceEventParser(limit), value));
    }
  }

  private static String verdict(EventParser p, byte[] value) {
    try {
      return describe(p.parse(value));
    } catch (RuntimeException e) {
      return "threw " + e;
    }
  }

  private static String verdict(ReferenceEventParser p, byte[] value) {
    try {
      return describe(p.parse(value));
    } catch (RuntimeException e) {
      return "threw " + e;
    }
  }

  private static String describe(ParsedEvent parsed) {
    return switch (parsed) {
      case ParsedEvent.Valid v -> "valid " + v.event() + " body " + Arrays.toString(v.body());
      case ParsedEvent.Invalid i -> "invalid " + i.reason() + ": " + i.detail();
    };
  }

  private static boolean isAscii(byte[] value) {
    for (byte b : value) {
      if (b <= 0) {
        return false;
      }
    }
    return true;
  }

  private static String shown(byte[] value) {
    String s = new String(value, java.nio.charset.StandardCharsets.ISO_8859_1);
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
