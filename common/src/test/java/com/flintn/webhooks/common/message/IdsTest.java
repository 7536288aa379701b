package com.flintn.webhooks.common.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written checks of {@link Ids} must accept exactly what their definitions accept: the
 * patterns for ids and event types, {@link OffsetDateTime#parse} for times. Each is compared on
 * hand-picked edges and on a few hundred thousand mutations of valid values.
 */
class IdsTest {
  private static final String NAME_ALPHABET = "aZz09_-.Å٣ K\u212A/\u0000";
  private static final String TIME_ALPHABET = "0123456789-:T.Zz+t ٣";
  private final Random random = new Random(20261127);

  @Test
  void safeIdsAreWhatThePatternAccepts() {
    List<String> cases =
        cases(
            List.of("", "a", "evt_1", "A-b_9", "a".repeat(128), "a".repeat(129), "é", "a b"),
            List.of("evt_01HXYZ", "acc_demo", "ep-1"),
            NAME_ALPHABET,
            100_000);
    for (String s : cases) {
      assertThat(Ids.isSafeId(s)).as(s).isEqualTo(Ids.SAFE_ID.matcher(s).matches());
    }
  }

  @Test
  void eventTypesAreWhatThePatternAccepts() {
    List<String> cases =
        cases(
            List.of(
                "",
                ".",
                "a.",
                ".a",
                "a..b",
                "order.created",
                "Order.Created",
                "a.b.c.d.e.f.g.h",
                "a.b.c.d.e.f.g.h.i",
                "x".repeat(64),
                "x".repeat(65),
                ("x".repeat(64) + ".").repeat(3) + "x".repeat(9),
                ("x".repeat(64) + ".").repeat(3) + "x".repeat(8),
                "\u212Aelvin"),
            List.of("order.created", "a.b.c", "invoice.paid_v2"),
            NAME_ALPHABET,
            100_000);
    for (String s : cases) {
      boolean expected = s.length() <= 200 && Ids.EVENT_TYPE.matcher(s).matches();
      assertThat(Ids.isEventType(s)).as(s).isEqualTo(expected);
    }
  }

  @Test
  void timesAreWhatOffsetDateTimeParseAccepts() {
    List<String> cases =
        cases(
            List.of(
                "2026-11-27T10:00:00Z",
                "2026-11-27T10:00:00.123456789Z",
                "2026-11-27T10:00:00.1234567890Z",
                "2026-11-27T10:00:00.Z",
                "2026-11-27T10:00:00+01:00",
                "2026-11-27T10:00:00-00:00",
                "2026-11-27T10:00:00+18:00",
                "2026-11-27T10:00:00+18:01",
                "2026-11-27T10:00:00+17:59",
                "2026-11-27T10:00Z",
                "2026-11-27t10:00:00z",
                "2024-02-29T00:00:00Z",
                "2023-02-29T00:00:00Z",
                "1900-02-29T00:00:00Z",
                "2000-02-29T00:00:00Z",
                "0000-01-01T00:00:00Z",
                "2026-04-31T00:00:00Z",
                "2026-12-31T23:59:60Z",
                "2026-13-01T00:00:00Z",
                "2026-00-01T00:00:00Z",
                "2026-11-27T24:00:00Z",
                "+12026-11-27T10:00:00Z",
                "2026-11-27T10:00:00+01:00[Europe/Paris]",
                "2026-11-27T10:00:00+0100",
                "2026-11-27T10:00:00+01"),
            List.of(
                "2026-11-27T10:00:00Z",
                "2024-02-29T23:59:59.5+05:30",
                "1999-12-31T00:00:00.000000001-08:00"),
            TIME_ALPHABET,
            200_000);
    int fast = 0;
    for (String s : cases) {
      boolean expected = parses(s);
      assertThat(Ids.isOffsetDateTime(s)).as(s).isEqualTo(expected);
      if (Ids.isPlainOffsetDateTime(s)) {
        assertThat(expected).as("fast path accepted " + s).isTrue();
        fast++;
      }
    }
    assertThat(fast).as("the fast path is taken for the common form").isGreaterThan(1000);
  }

  @Test
  void nullIsNeitherASafeIdNorAnEventTypeNorATime() {
    assertThat(Ids.isSafeId(null)).isFalse();
    assertThat(Ids.isEventType(null)).isFalse();
    assertThat(Ids.isOffsetDateTime(null)).isFalse();
  }

  private static boolean parses(String s) {
    try {
      OffsetDateTime.parse(s);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /**
   * The hand-picked {@code edges}, then {@code n} mutations: each seed with 1 to 3 characters of
   * {@code alphabet} replaced, inserted or removed at random.
   */
  private List<String> cases(List<String> edges, List<String> seeds, String alphabet, int n) {
    List<String> out = new ArrayList<>(edges);
    for (int k = 0; k < n; k++) {
      StringBuilder b = new StringBuilder(seeds.get(k % seeds.size()));
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(b.length() + 1);
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(3)) {
          case 0 -> b.insert(at, c);
          case 1 -> {
            if (at < b.length()) {
              b.setCharAt(at, c);
            }
          }
          default -> {
            if (at < b.length()) {
              b.deleteCharAt(at);
            }
          }
        }
      }
      out.add(b.toString());
    }
    return out;
  }
}
