package com.flintn.webhooks.dispatcher;

import com.flintn.webhooks.testkit.Endpoints;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A seeded random mix of records for {@code webhooks.events}: hostile ones of many kinds, each with
 * the reasons the dispatcher may give for refusing it, and valid events between them, each with the
 * exact body a receiver must get. The body is written here by hand in the product's canonical form
 * (compact, fields in envelope order, strings escaped as the serialiser escapes them, characters
 * outside the BMP as surrogate-pair escapes, numbers with their value and scale as written), so a
 * test against it does not lean on the product's own serialiser.
 */
final class HostileMix {
  static final String ACCOUNT = "acc_hostile";
  static final int MAX_EVENT_BYTES = 256 * 1024;
  static final int TEN_MB = 10 * 1024 * 1024;

  /** One record to produce and what must become of it. */
  record Planned(
      String kind,
      byte[] key,
      byte[] value,
      List<Header> headers,
      Set<String> reasons,
      String eventId,
      byte[] body) {
    boolean valid() {
      return body != null;
    }

    static Planned hostile(String kind, byte[] key, byte[] value, String... reasons) {
      return new Planned(kind, key, value, List.of(), Set.of(reasons), null, null);
    }

    Planned withHeaders(List<Header> h) {
      return new Planned(kind, key, value, h, reasons, eventId, body);
    }

    Planned withKey(String newKind, byte[] k) {
      return new Planned(newKind, k, value, headers, reasons, eventId, body);
    }
  }

  private final Random random;
  private int nextId;
  private final List<Planned> validSoFar = new ArrayList<>();

  HostileMix(long seed) {
    this.random = new Random(seed);
  }

  /** About {@code total} records, shuffled; every hostile kind appears at least once. */
  List<Planned> build(int total) {
    double scale = total / 2700.0;
    List<Planned> out = new ArrayList<>();
    int valid = (int) (1150 * scale);
    for (int i = 0; i < valid; i++) {
      Planned p = validEvent();
      validSoFar.add(p);
      out.add(p);
    }
    // Upstream sent an event again: the same record, or the same event id with other content.
    for (int i = 0; i < Math.max(1, (int) (80 * scale)); i++) {
      Planned original = validSoFar.get(random.nextInt(validSoFar.size()));
      out.add(
          new Planned(
              "duplicate_same_bytes",
              original.key(),
              original.value(),
              List.of(),
              Set.of(),
              original.eventId(),
              original.body()));
    }
    for (int i = 0; i < Math.max(1, (int) (30 * scale)); i++) {
      Planned original = validSoFar.get(random.nextInt(validSoFar.size()));
      String data = "{\"again\":" + i + ",\"note\":\"same id, new content\"}";
      String canonical =
          canonical(original.eventId(), "order.updated", ACCOUNT, "2026-11-27T11:00:00Z", data);
      out.add(validOf("duplicate_other_content", original.eventId(), canonical, canonical));
    }
    repeat(out, 200 * scale, this::randomBytes);
    repeat(out, 200 * scale, this::truncated);
    for (int i = 0; i < 3; i++) {
      out.add(tenMegabytes(i));
    }
    repeat(out, 5 * scale, this::justOverTheLimit);
    repeat(out, 30 * scale, this::deepNesting);
    repeat(out, 250 * scale, this::wrongType);
    repeat(out, 100 * scale, this::missingOrUnknownField);
    repeat(out, 250 * scale, this::badIds);
    repeat(out, 20 * scale, this::hugeId);
    repeat(out, 100 * scale, this::emptyOrNull);
    repeat(out, 150 * scale, this::nonUtf8);
    repeat(out, 100 * scale, this::trailingContent);
    repeat(out, 10 * scale, this::hugeKey);
    repeat(out, 10 * scale, this::manyHeaders);
    Collections.shuffle(out, random);
    return out;
  }

  private void repeat(List<Planned> out, double times, Supplier<Planned> make) {
    for (int i = 0; i < Math.max(1, (int) times); i++) {
      out.add(make.get());
    }
  }

  /** A valid event to produce after everything else. */
  Planned sentinel() {
    String id = "evt_sentinel_" + random.nextInt(1_000_000);
    String c = canonical(id, "order.created", ACCOUNT, "2026-11-27T12:00:00Z", "{\"last\":true}");
    return validOf("sentinel", id, c, c);
  }

  // --- valid events ---------------------------------------------------------------------------

  private Planned validEvent() {
    String id = "evt_h_" + (nextId++);
    String type = pick("order.created", "order.paid", "Customer.Updated", "invoice.v2.sent");
    String createdAt =
        pick(
            "2026-11-27T10:00:00Z",
            "2026-11-27T10:00:00.123456789+05:30",
            "2026-02-28T23:59:59-08:00");
    int shape = random.nextInt(100);
    if (shape < 3) {
      return atTheLimit(id);
    }
    if (shape < 5) {
      // The longest id there is: 128 characters of the id alphabet.
      String longId = (id + "-" + "_Az09".repeat(30)).substring(0, 128);
      String c = canonical(longId, type, ACCOUNT, createdAt, "{\"long_id\":true}");
      return validOf("valid_longest_id", longId, c, c);
    }
    String data =
        switch (random.nextInt(6)) {
          case 0 -> "{\"order\":\"" + id + "\",\"amount\":" + random.nextInt(1_000_000) + "}";
          case 1 ->
              "{\"note\":\"caf\u00e9 \u540d\u524d \uD83C\uDF89 \u2028 \u007f/\",\"amount\":12.50}";
          case 2 ->
              "{\"huge\":1E+400,\"precise\":0.1000000000000000055511151231257827,"
                  + "\"big\":123456789012345678901234567890,\"neg\":-7,\"small\":-0.001}";
          case 3 -> "{\"s\":\"tab\\tnl\\nquote\\\"back\\\\nul\\u0000one\\u0001\"}";
          case 4 -> "{\"deep\":" + "[".repeat(150) + "1" + "]".repeat(150) + "}";
          default -> "{\"empty\":{},\"list\":[],\"t\":true,\"f\":false,\"nil\":null}";
        };
    String written = canonical(id, type, ACCOUNT, createdAt, data);
    // The serialiser writes a character outside the BMP as the escapes of its surrogate pair.
    String canonical = written.replace("\uD83C\uDF89", "\\uD83C\\uDF89");
    int form = random.nextInt(100);
    if (form < 85) {
      return validOf("valid", id, written, canonical);
    }
    // Written differently but meaning the same: the body is the canonical form.
    String variant =
        switch (form % 5) {
          case 0 ->
              "\n {\n  \"event_id\" : \""
                  + id
                  + "\" ,\n\t\"event_type\":\""
                  + type
                  + "\",\r\n\"account_id\":  \""
                  + ACCOUNT
                  + "\", \"created_at\" :\""
                  + createdAt
                  + "\",\"data\" : "
                  + data
                  + "\n}\n\n";
          case 1 -> "\uFEFF" + written;
          case 2 ->
              "{\"data\":"
                  + data
                  + ",\"created_at\":\""
                  + createdAt
                  + "\",\"account_id\":\""
                  + ACCOUNT
                  + "\",\"event_type\":\""
                  + type
                  + "\",\"event_id\":\""
                  + id
                  + "\"}";
          case 3 ->
              written.replace("\"event_type\"", "\"event\\u005ftype\"").replace("/\"", "\\/\"");
          default -> written.replace("1E+400", "1e400").replace("caf\u00e9", "caf\\u00e9") + " \t";
        };
    return validOf("valid_other_form", id, variant, canonical);
  }

  /** An envelope of exactly the size limit: accepted. */
  private Planned atTheLimit(String id) {
    String empty =
        canonical(id, "order.created", ACCOUNT, "2026-11-27T10:00:00Z", "{\"pad\":\"\"}");
    int pad = MAX_EVENT_BYTES - empty.getBytes(StandardCharsets.UTF_8).length;
    String c =
        canonical(
            id,
            "order.created",
            ACCOUNT,
            "2026-11-27T10:00:00Z",
            "{\"pad\":\"" + "p".repeat(pad) + "\"}");
    return validOf("valid_at_size_limit", id, c, c);
  }

  private Planned validOf(String kind, String id, String value, String canonical) {
    byte[] key = keyFor();
    return new Planned(
        kind,
        key,
        utf8(value),
        List.of(),
        Set.of(),
        id,
        canonical.getBytes(StandardCharsets.UTF_8));
  }

  private byte[] keyFor() {
    return switch (random.nextInt(10)) {
      case 0 -> null;
      case 1 -> new byte[0];
      case 2 -> bytes(1 + random.nextInt(64));
      default -> utf8(ACCOUNT);
    };
  }

  static String canonical(String id, String type, String account, String createdAt, String data) {
    return Endpoints.event(id, type, account, createdAt, data);
  }

  private String good() {
    return canonical(
        "evt_x" + (nextId++),
        "order.created",
        ACCOUNT,
        "2026-11-27T10:00:00Z",
        "{\"amount\":1250}");
  }

  // --- hostile records ------------------------------------------------------------------------

  private Planned randomBytes() {
    return Planned.hostile(
        "random_bytes", keyFor(), bytes(1 + random.nextInt(4000)), "not_json", "not_an_object");
  }

  private Planned truncated() {
    byte[] whole =
        utf8(
            canonical(
                "evt_t" + (nextId++),
                "order.created",
                ACCOUNT,
                "2026-11-27T10:00:00Z",
                "{\"note\":\"caf\u00e9 \uD83C\uDF89\",\"list\":[1,2,{\"a\":null}]}"));
    int cut = 1 + random.nextInt(whole.length - 1);
    byte[] part = new byte[cut];
    System.arraycopy(whole, 0, part, 0, cut);
    return Planned.hostile("truncated_json", keyFor(), part, "not_json");
  }

  private Planned tenMegabytes(int i) {
    byte[] value =
        switch (i) {
          case 0 ->
              utf8(
                  canonical(
                      "evt_big" + i,
                      "order.created",
                      ACCOUNT,
                      "2026-11-27T10:00:00Z",
                      "{\"blob\":\"" + "b".repeat(TEN_MB) + "\"}"));
          case 1 -> bytes(TEN_MB);
          default -> utf8("[".repeat(TEN_MB / 2) + "]".repeat(TEN_MB / 2));
        };
    Planned p = Planned.hostile("ten_megabytes", keyFor(), value, "too_large");
    return i == 2 ? p.withHeaders(headers(100, 2048)) : p;
  }

  private Planned justOverTheLimit() {
    String empty =
        canonical(
            "evt_o" + (nextId++),
            "order.created",
            ACCOUNT,
            "2026-11-27T10:00:00Z",
            "{\"pad\":\"\"}");
    int pad = MAX_EVENT_BYTES + 1 - utf8(empty).length;
    return Planned.hostile(
        "just_over_size_limit",
        keyFor(),
        utf8(empty.replace("\"pad\":\"\"", "\"pad\":\"" + "p".repeat(pad) + "\"")),
        "too_large");
  }

  private Planned deepNesting() {
    int depth = 10_000;
    String value =
        switch (random.nextInt(4)) {
          case 0 -> good().replace("{\"amount\":1250}", "[".repeat(depth) + "]".repeat(depth));
          case 1 ->
              good()
                  .replace("{\"amount\":1250}", "{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
          case 2 -> "[".repeat(depth) + "]".repeat(depth);
          default -> good().replace("{\"amount\":1250}}", "[".repeat(depth));
        };
    return Planned.hostile("deep_nesting", keyFor(), utf8(value), "too_deep");
  }

  private Planned wrongType() {
    String field = pick("event_id", "event_type", "account_id", "created_at", "data");
    String wrong =
        field.equals("data")
            ? pick("\"text\"", "42", "true", "[]", "[{}]", "null", "1.5")
            : pick(
                "42", "4.2", "true", "false", "[]", "{}", "[\"evt_1\"]", "{\"id\":\"x\"}", "null");
    Map<String, String> f = fields();
    f.put(field, wrong);
    return Planned.hostile(
        "wrong_type_" + field,
        keyFor(),
        utf8(join(f)),
        wrong.equals("null") ? "missing_field" : "invalid_field");
  }

  private Planned missingOrUnknownField() {
    Map<String, String> f = fields();
    if (random.nextBoolean()) {
      f.remove(pick("event_id", "event_type", "account_id", "created_at", "data"));
      return Planned.hostile("missing_field", keyFor(), utf8(join(f)), "missing_field");
    }
    f.put(pick("extra", "Event_Id", "event_id ", "", "\\u0000", "__proto__"), "1");
    return Planned.hostile("unknown_field", keyFor(), utf8(join(f)), "unknown_field");
  }

  private Planned badIds() {
    String field = pick("event_id", "account_id", "event_type", "created_at");
    Map<String, String> f = fields();
    if (random.nextInt(5) == 0) {
      // A raw control character inside a string is not JSON at all.
      f.put(field, "\"evt_" + (char) (1 + random.nextInt(31)) + "\"");
      return Planned.hostile("raw_control_char_" + field, keyFor(), utf8(join(f)), "not_json");
    }
    String bad =
        switch (field) {
          case "event_type" ->
              pick(
                  "order created",
                  "order..created",
                  ".order",
                  "order.",
                  "order.cr\u00e9\u00e9",
                  "order\\u0000created",
                  "order\\u001b[31m",
                  "",
                  "a." + "b".repeat(65),
                  "a.b.c.d.e.f.g.h.i");
          case "created_at" ->
              pick(
                  "yesterday",
                  "2026-11-27",
                  "2026-11-27T10:00:00",
                  "",
                  "2026-13-45T99:00:00Z",
                  "0");
          default ->
              pick(
                  "evt.1",
                  "evt 1",
                  "evt/1",
                  "evt\\u0000",
                  "\\u00e9vt",
                  "evt_1\\n",
                  "",
                  "e".repeat(129),
                  "evt_\u0661",
                  "../../etc/passwd",
                  "evt_1\u202e",
                  "%00",
                  "evt;1",
                  "evt\\u001b[2J",
                  "a.b.c");
        };
    f.put(field, "\"" + bad + "\"");
    return Planned.hostile("bad_" + field, keyFor(), utf8(join(f)), "invalid_field");
  }

  private Planned hugeId() {
    Map<String, String> f = fields();
    return switch (random.nextInt(3)) {
      case 0 -> {
        f.put("event_id", "\"" + "e".repeat(200_000) + "\"");
        yield Planned.hostile("huge_event_id", keyFor(), utf8(join(f)), "invalid_field");
      }
      case 1 -> {
        f.put("account_id", "\"" + "a".repeat(100_000) + "\"");
        yield Planned.hostile("huge_account_id", keyFor(), utf8(join(f)), "invalid_field");
      }
      default -> {
        f.put("event_id", "\"" + "e".repeat(300_000) + "\"");
        yield Planned.hostile("huge_event_id_over_limit", keyFor(), utf8(join(f)), "too_large");
      }
    };
  }

  private Planned emptyOrNull() {
    byte[] key = pick(null, new byte[0], utf8(ACCOUNT));
    byte[] value = random.nextBoolean() ? null : new byte[0];
    return Planned.hostile(value == null ? "null_value" : "empty_value", key, value, "empty");
  }

  private Planned nonUtf8() {
    String good = good();
    byte[] value =
        switch (random.nextInt(10)) {
          case 0 -> good.replace("1250", "\"caf\u00e9\"").getBytes(StandardCharsets.ISO_8859_1);
          case 1 -> splice(good, "1250", new byte[] {'"', 'a', (byte) 0xFF, 'b', '"'});
          case 2 -> splice(good, "1250", new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'});
          case 3 ->
              splice(good, "1250", new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'});
          case 4 -> splice(good, "1250", new byte[] {'"', (byte) 0xE2, (byte) 0x82, '"'});
          case 5 -> splice(good, "evt_x", new byte[] {'e', (byte) 0x80, 'x'});
          case 6 -> good.getBytes(StandardCharsets.UTF_16LE);
          case 7 -> good.getBytes(StandardCharsets.UTF_16BE);
          case 8 -> good.getBytes(StandardCharsets.UTF_16);
          default -> good.getBytes(Charset.forName("UTF-32BE"));
        };
    return Planned.hostile("non_utf8", keyFor(), value, "not_json");
  }

  private Planned trailingContent() {
    String good = good();
    String value =
        switch (random.nextInt(4)) {
          case 0 -> good + good();
          case 1 -> good + "{}";
          case 2 -> good + " x";
          default -> good + "\n" + good().replace("evt_x", "evt_second");
        };
    return Planned.hostile("trailing_content", keyFor(), utf8(value), "not_json");
  }

  private Planned hugeKey() {
    byte[] key = bytes(512 * 1024 + random.nextInt(2 * 1024 * 1024));
    return Planned.hostile("huge_key", key, utf8("not json " + nextId++), "not_json");
  }

  private Planned manyHeaders() {
    Planned p =
        Planned.hostile("many_headers", keyFor(), utf8(good().replace("1250", "tru")), "not_json");
    return p.withHeaders(headers(200 + random.nextInt(200), 2048));
  }

  // --- helpers --------------------------------------------------------------------------------

  private Map<String, String> fields() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("event_id", "\"evt_f" + (nextId++) + "\"");
    f.put("event_type", "\"order.created\"");
    f.put("account_id", "\"" + ACCOUNT + "\"");
    f.put("created_at", "\"2026-11-27T10:00:00Z\"");
    f.put("data", "{\"amount\":1250}");
    return f;
  }

  private static String join(Map<String, String> fields) {
    StringBuilder sb = new StringBuilder("{");
    fields.forEach(
        (k, v) -> {
          if (sb.length() > 1) {
            sb.append(',');
          }
          sb.append('"').append(k).append("\":").append(v);
        });
    return sb.append('}').toString();
  }

  private List<Header> headers(int count, int size) {
    List<Header> h = new ArrayList<>();
    h.add(new RecordHeader("h-first", utf8("kept")));
    // Headers named like the ones the dispatcher adds: its own come after and are the last.
    h.add(new RecordHeader("reason", utf8("none")));
    h.add(new RecordHeader("source-offset", utf8("0")));
    for (int i = 0; i < count; i++) {
      h.add(new RecordHeader("h" + i, bytes(size)));
    }
    h.add(new RecordHeader("", null));
    return h;
  }

  private static byte[] splice(String text, String replace, byte[] with) {
    int at = text.indexOf(replace);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(utf8(text.substring(0, at)));
    out.writeBytes(with);
    out.writeBytes(utf8(text.substring(at + replace.length())));
    return out.toByteArray();
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @SafeVarargs
  private <T> T pick(T... options) {
    return options[random.nextInt(options.length)];
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
