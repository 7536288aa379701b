package com.flintn.webhooks.common.event;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Records of {@code webhooks.events}, valid and not, generated from a fixed seed: envelopes with
 * varied data, and malformed records made from them by truncation, byte replacement and targeted
 * edits. Each record carries the kind of case it is, so a test can say what it covered.
 */
public final class EventCorpus {
  /** One record and what kind of case it is. */
  public record Case(String kind, byte[] value) {}

  private static final String[] NUMBERS = {
    "0",
    "-0",
    "1",
    "-1",
    "4200",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "123456789012345678901234567890",
    "12.50",
    "1.0",
    "0.0",
    "-0.0",
    "0.10000000000000001",
    "0.1000000000000000055511151231257827",
    "1E+400",
    "1e-400",
    "-1E+400",
    "1.5E3",
    "2E5",
    "1e2",
    "-1.25e-7",
    "3.14159",
    "100",
    "1E0",
    "0e0",
    "12.500000"
  };

  private static final String[] STRINGS = {
    "", "plain", "line\\nbreak", "quote\\\"d", "back\\\\slash", "caf\\u00e9", "\\ud83d\\ude00",
    "tab\\there", "\\/slash", "nul\\u0000byte", "\\b\\f\\r", "\\u2028", "\\u001b[2J", "\\uFEFF",
    "\\ud800", "ord_12345", "EUR", "with space", "\u007f"
  };

  private static final String[] KEYS = {
    "order_id", "amount", "currency", "a", "", "k\\n", "\\u00e9t\\u00e9", "nested", "x y", "\\\""
  };

  private static final String[] TYPES = {
    "order.created", "a", "a.b.c.d.e.f.g.h", "webhook.test", "Order-Created_2", "x".repeat(64)
  };

  private static final String[] TIMES = {
    "2026-12-06T14:00:00Z",
    "2026-12-06T14:00:00.123Z",
    "2026-12-06T14:00:00+02:00",
    "2026-12-06T14:00:00.123456789-05:30",
    "2024-02-29T23:59:59Z",
    "2026-12-06T14:00Z",
    "+12026-12-06T14:00:00Z"
  };

  private static final int[] INTERESTING = {
    '{', '}', '[', ']', '"', ',', ':', '\\', '0', 'a', ' ', 0x00, 0x7f, 0x80, 0xff
  };

  private final Random random = new Random(20261206L);
  private final List<Case> cases = new ArrayList<>();

  private EventCorpus() {}

  /** The whole corpus, the same at every call. */
  public static List<Case> all() {
    EventCorpus c = new EventCorpus();
    c.build();
    return c.cases;
  }

  /** The valid envelopes the corpus starts from, as text. */
  public static List<String> envelopes() {
    return new EventCorpus().validEnvelopes(400);
  }

  /** The benchmark's event (bench Rig): the shape nearly every record has. */
  public static final String BENCH =
      "{\"event_id\":\"evt_p8_12345\",\"event_type\":\"bench.t1\",\"account_id\":\"acct_bench\","
          + "\"created_at\":\"2026-12-06T14:00:00.123456Z\",\"data\":{\"order_id\":\"ord_12345\","
          + "\"amount\":4200,\"currency\":\"EUR\"}}";

  private void build() {
    List<String> valid = validEnvelopes(400);
    for (String v : valid) {
      add("valid envelope", v);
    }
    add("valid envelope", BENCH);
    List<String> samples = List.of(BENCH, valid.get(0), valid.get(1), valid.get(2), valid.get(7));
    for (String s : samples) {
      byte[] b = utf8(s);
      for (int i = 0; i < b.length; i++) {
        add("truncation", java.util.Arrays.copyOf(b, i));
      }
      for (int i = 0; i < b.length; i++) {
        for (int x : INTERESTING) {
          byte[] copy = b.clone();
          copy[i] = (byte) x;
          add("byte replacement", copy);
        }
      }
    }
    byte[] bench = utf8(BENCH);
    for (int i = 0; i <= bench.length; i++) {
      for (int x : INTERESTING) {
        byte[] copy = new byte[bench.length + 1];
        System.arraycopy(bench, 0, copy, 0, i);
        copy[i] = (byte) x;
        System.arraycopy(bench, i, copy, i + 1, bench.length - i);
        add("byte insertion", copy);
      }
      if (i < bench.length) {
        byte[] copy = new byte[bench.length - 1];
        System.arraycopy(bench, 0, copy, 0, i);
        System.arraycopy(bench, i + 1, copy, i, bench.length - i - 1);
        add("byte deletion", copy);
      }
    }
    for (String v : valid.subList(0, 40)) {
      edits(v);
    }
    edits(BENCH);
    fixed();
  }

  /** Targeted edits of one valid envelope. */
  private void edits(String v) {
    Map<String, String> f = fields(v);
    // duplicated keys
    add("duplicate key", "{\"event_id\":\"a\"," + v.substring(1));
    add("duplicate key", v.substring(0, v.length() - 1) + ",\"data\":{}}");
    add("duplicate key", with(f, "data", "{\"x\":1,\"y\":[{\"z\":1,\"z\":2}],\"x\":2}"));
    add("duplicate key", with(f, "data", "{\"a\":{\"b\":1,\"b\":1}}"));
    add("duplicate key", with(f, "data", "{\"\\u0061\":1,\"a\":2}"));
    // unknown fields
    add("unknown field", "{\"extra\":1," + v.substring(1));
    add("unknown field", v.substring(0, v.length() - 1) + ",\"Event_id\":\"x\"}");
    add("unknown field", v.substring(0, v.length() - 1) + ",\"ext\\u00e9\":null}");
    // missing and null fields
    for (String name : f.keySet()) {
      Map<String, String> m = new LinkedHashMap<>(f);
      m.remove(name);
      add("missing field", object(m));
      add("null field", with(f, name, "null"));
    }
    // wrong types
    for (String name : List.of("event_id", "event_type", "account_id", "created_at")) {
      for (String wrong : List.of("42", "{}", "[\"x\"]", "true", "1.5", "{\"a\":1}")) {
        add("wrong type", with(f, name, wrong));
      }
    }
    for (String wrong : List.of("[]", "[1]", "\"text\"", "42", "true", "\"{}\"")) {
      add("wrong type", with(f, "data", wrong));
    }
    // invalid values
    for (String bad :
        List.of(
            "\"evt.1\"", "\"\"", "\"" + "e".repeat(129) + "\"", "\"evt\\u00001\"", "\"\\u00e9\"")) {
      add("invalid value", with(f, "event_id", bad));
      add("invalid value", with(f, "account_id", bad));
    }
    for (String bad : List.of("\"order created\"", "\"a..b\"", "\".a\"", "\"a.b.c.d.e.f.g.h.i\"")) {
      add("invalid value", with(f, "event_type", bad));
    }
    for (String bad :
        List.of(
            "\"yesterday\"",
            "\"2026-13-01T00:00:00Z\"",
            "\"2026-02-29T00:00:00Z\"",
            "\"2026-12-06T14:00:00\"",
            "\"2026-12-06T14:00:00+18:30\"")) {
      add("invalid value", with(f, "created_at", bad));
    }
    // trailing content and white space
    for (String tail :
        List.of(
            "{}", " x", "\n", "1", " 1x", "[", "]", "\"abc", "\"abc\"", ",", "/", "//c", "/*c*/",
            "#", "\n\n  ", "\f", "\u000b", "null", " true", "}", "{\"a\":", "  {}", "\r\n{}")) {
      add("trailing content", v + tail);
    }
    for (String lead : List.of(" ", "\t\r\n", "\n\n\n   ", "\f", ",", "[")) {
      add("leading content", lead + v);
    }
    // field order
    List<String> names = new ArrayList<>(f.keySet());
    java.util.Collections.shuffle(names, random);
    Map<String, String> shuffled = new LinkedHashMap<>();
    for (String n : names) {
      shuffled.put(n, f.get(n));
    }
    add("field order", object(shuffled));
    // non-ASCII text, valid and not
    add(
        "non-ASCII valid",
        with(f, "data", "{\"caf\u00e9\":\"\u00e9t\u00e9 \ud83d\ude00 \u65e5\u672c\"}"));
    add("non-ASCII valid", with(f, "event_type", "\"\u00e9v\u00e9nement\""));
    add("non-ASCII valid", v.replace("\"data\":{", "\"data\":{\"\u2028\":\"\u202e\","));
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    add("BOM", concat(bom, utf8(v)));
    add("BOM", concat(bom, utf8(" " + v + "\n")));
    add("BOM", concat(bom, concat(bom, utf8(v))));
    add("BOM", concat(utf8(" "), concat(bom, utf8(v))));
    for (byte[] raw :
        List.of(
            new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xC0, (byte) 0xAF},
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xE2, (byte) 0x82},
            new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0xC3, (byte) 0xA9})) {
      add("non-ASCII bytes", splice(v, concat(utf8("\"x"), concat(raw, utf8("\"")))));
      add("non-ASCII bytes", splice(v, raw));
    }
    for (Charset cs :
        List.of(
            StandardCharsets.UTF_16LE,
            StandardCharsets.UTF_16BE,
            StandardCharsets.UTF_16,
            Charset.forName("UTF-32BE"),
            Charset.forName("UTF-32LE"))) {
      add("other encoding", v.getBytes(cs));
    }
    add(
        "other encoding",
        with(f, "data", "{\"k\":\"caf\u00e9\"}").getBytes(StandardCharsets.ISO_8859_1));
    // raw control characters
    for (char c : new char[] {0x01, 0x09, 0x0a, 0x1f, 0x7f}) {
      add("control character", with(f, "data", "{\"k\":\"a" + c + "b\"}"));
      add("control character", with(f, "data", "{\"a" + c + "\":1}"));
    }
    add("NUL", v + "\u0000");
    add("NUL", with(f, "data", "{\"k\":\"a\u0000b\"}"));
  }

  /** Cases that do not start from a generated envelope. */
  private void fixed() {
    for (String s :
        List.of(
            "{}{}",
            "{} x",
            "{}\n",
            "{}",
            " ",
            "\n",
            "\t\r\n ",
            "[]",
            "[1,2]",
            "1",
            "-1",
            "\"s\"",
            "null",
            "true",
            "false",
            "{",
            "}",
            "[",
            "]",
            "\"",
            ":",
            ",",
            "x",
            "nul",
            "tru",
            "truex",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{,}",
            "[1,]",
            "{'a':1}",
            "{a:1}",
            "{\"a\":NaN}",
            "{\"a\":Infinity}",
            "{\"a\":-Infinity}",
            "{\"a\":01}",
            "{\"a\":+1}",
            "{\"a\":.5}",
            "{\"a\":1.}",
            "{\"a\":1e}",
            "{\"a\":-}",
            "{\"a\":0x10}",
            "{\"a\":1e+}",
            "{\"a\":--1}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"\\u12G4\"}",
            "{\"a\":tru}",
            "{\"a\":nulL}",
            "{\"a\":falsey}",
            "{\"a\":1 2}",
            "{\"a\" 1}",
            "{\"a\":1]",
            "[1}",
            "{\"a\":[1,2}",
            "{\"a\":\"b\\",
            "{\"a\":\"\\ud83d\"}",
            "/* c */{}",
            "// c\n{}",
            "{}//",
            "{}/*",
            "{} /* c */",
            "0 {}",
            "\"a\" \"b\"",
            "1 2",
            "[] []",
            "{}]",
            "{}}")) {
      add("hand-written", s);
    }
    String g = EventCorpus.BENCH;
    Map<String, String> f = fields(g);
    for (int depth : new int[] {197, 198, 199, 200, 201, 202, 1000, 10_000}) {
      add("nesting", with(f, "data", "{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}"));
      add(
          "nesting",
          with(f, "data", "{\"a\":" + "{\"b\":".repeat(depth) + "1" + "}".repeat(depth) + "}"));
      add("nesting", "[".repeat(depth) + "]".repeat(depth));
      add("nesting", "[".repeat(depth));
    }
    for (int digits : new int[] {999, 1000, 1001, 2000}) {
      add("long token", with(f, "data", "{\"n\":1" + "0".repeat(digits - 1) + "}"));
      add("long token", with(f, "data", "{\"n\":0." + "1".repeat(digits - 2) + "}"));
      add("long token", with(f, "data", "{\"n\":-1" + "0".repeat(digits - 1) + "E5}"));
    }
    for (int chars : new int[] {49_999, 50_000, 50_001}) {
      add("long token", with(f, "data", "{\"" + "k".repeat(chars) + "\":1}"));
    }
    add("long token", with(f, "data", "{\"s\":\"" + "x".repeat(200_000) + "\"}"));
    add("long token", with(f, "data", "{\"s\":\"" + "x".repeat(300_000) + "\"}"));
  }

  private List<String> validEnvelopes(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, String> f = new LinkedHashMap<>();
      f.put("event_id", "\"evt_" + Integer.toString(random.nextInt(1 << 30), 36) + "\"");
      f.put("event_type", "\"" + TYPES[random.nextInt(TYPES.length)] + "\"");
      f.put("account_id", "\"acc-" + random.nextInt(1000) + "\"");
      f.put("created_at", "\"" + TIMES[random.nextInt(TIMES.length)] + "\"");
      f.put("data", value(0, true));
      String text =
          switch (i % 4) {
            case 0, 1 -> object(f);
            case 2 -> object(f).replace(",\"", ", \"").replace("\":", "\": ");
            default -> object(f).replace("{", "{\n  ").replace(",", ",\n  ").replace("}", "\n}");
          };
      out.add(text);
    }
    return out;
  }

  private String value(int depth, boolean object) {
    if (object || (depth < 5 && random.nextInt(4) == 0)) {
      StringBuilder sb = new StringBuilder("{");
      int n = random.nextInt(depth == 0 ? 6 : 4);
      java.util.Set<String> used = new java.util.HashSet<>();
      for (int i = 0; i < n; i++) {
        String k = KEYS[random.nextInt(KEYS.length)];
        if (!used.add(k)) {
          continue;
        }
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append('"').append(k).append("\":").append(value(depth + 1, false));
      }
      return sb.append('}').toString();
    }
    return switch (random.nextInt(depth < 5 ? 6 : 5)) {
      case 0, 1 -> NUMBERS[random.nextInt(NUMBERS.length)];
      case 2 -> "\"" + STRINGS[random.nextInt(STRINGS.length)] + "\"";
      case 3 -> List.of("true", "false", "null").get(random.nextInt(3));
      case 4 ->
          "\""
              + STRINGS[random.nextInt(STRINGS.length)]
              + STRINGS[random.nextInt(STRINGS.length)]
              + "\"";
      default -> {
        StringBuilder sb = new StringBuilder("[");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          sb.append(i == 0 ? "" : ",").append(value(depth + 1, false));
        }
        yield sb.append(']').toString();
      }
    };
  }

  /** The top-level fields of an envelope this class wrote (compact form only). */
  private static Map<String, String> fields(String compact) {
    Map<String, String> f = new LinkedHashMap<>();
    String s =
        compact
            .replace("{\n  ", "{")
            .replace(",\n  ", ",")
            .replace("\n}", "}")
            .replace(", \"", ",\"")
            .replace("\": ", "\":");
    for (String name : List.of("event_id", "event_type", "account_id", "created_at")) {
      int at = s.indexOf("\"" + name + "\":\"") + name.length() + 3;
      f.put(name, s.substring(at, s.indexOf('"', at + 1) + 1));
    }
    int data = s.indexOf("\"data\":") + 7;
    f.put("data", s.substring(data, s.length() - 1));
    return f;
  }

  private static String with(Map<String, String> f, String name, String raw) {
    Map<String, String> m = new LinkedHashMap<>(f);
    m.put(name, raw);
    return object(m);
  }

  private static String object(Map<String, String> f) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, String> e : f.entrySet()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"').append(e.getKey()).append("\":").append(e.getValue());
    }
    return sb.append('}').toString();
  }

  /** {@code v} with {@code raw} bytes put in place of the start of its data's first value. */
  private static byte[] splice(String v, byte[] raw) {
    byte[] b = utf8(v);
    int at = v.indexOf("\"data\":") + 7;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(b, 0, at);
    out.write(utf8("{\"k\":"), 0, 5);
    out.write(raw, 0, raw.length);
    out.write(utf8("}}"), 0, 2);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void add(String kind, String text) {
    add(kind, utf8(text));
  }

  private void add(String kind, byte[] value) {
    cases.add(new Case(kind, value));
  }
}
