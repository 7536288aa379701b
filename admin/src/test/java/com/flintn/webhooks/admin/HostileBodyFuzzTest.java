package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static com.flintn.webhooks.admin.HostileRig.SEED;
import static com.flintn.webhooks.admin.HostileRig.TIMEOUT;
import static com.flintn.webhooks.admin.HostileRig.WRITE_TIMEOUT;
import static com.flintn.webhooks.admin.HostileRig.concat;
import static com.flintn.webhooks.admin.HostileRig.indexOf;
import static com.flintn.webhooks.admin.HostileRig.json;
import static com.flintn.webhooks.admin.HostileRig.pick;
import static com.flintn.webhooks.admin.HostileRig.utf8;

import com.flintn.webhooks.admin.HostileRig.Expect;
import com.flintn.webhooks.admin.HostileRig.Probe;
import com.flintn.webhooks.admin.HostileRig.Probes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing, as account B beside account A, of every route that takes a body (or must refuse
 * one): each answer is a 2xx only for valid input and otherwise a 4xx in the error format, never a
 * 5xx, never a hang, never a byte of account A's endpoints.
 *
 * <p>Each test has its own admin server and accounts ({@link HostileRig}); the seed is random and
 * printed with every failure, {@code -Dflintn.fuzz.seed=N} repeats a run.
 */
@Tag("broker")
class HostileBodyFuzzTest extends HostileTestBase {
  HostileBodyFuzzTest() {
    super("hostile-fuzz");
  }

  /** The kind of a body field, which says what is a valid, a wrong or a hostile value for it. */
  enum Kind {
    NAME,
    URL,
    TYPES,
    BOOL,
    REASON,
    TYPE,
    TIME
  }

  /**
   * A route that takes a body: its fields with a valid value each, whether a null or absent field
   * is still valid, and whether an empty body is.
   */
  record Route(
      String label,
      String method,
      String suffix,
      String ownId,
      Map<String, Kind> kinds,
      Map<String, Object> base,
      boolean nullIsAbsent,
      boolean fieldsRequired,
      boolean emptyIsValid,
      boolean alwaysInvalid) {
    String path(String id) {
      return id == null ? "/v1/webhooks" : "/v1/webhooks/" + id + suffix;
    }

    boolean takesFields() {
      return !kinds.isEmpty();
    }
  }

  private List<Route> routes() {
    Map<String, Kind> endpointKinds = new LinkedHashMap<>();
    endpointKinds.put("name", Kind.NAME);
    endpointKinds.put("url", Kind.URL);
    endpointKinds.put("event_types", Kind.TYPES);
    Map<String, Object> createBase = new LinkedHashMap<>();
    createBase.put("name", "Bravo fuzz");
    createBase.put("url", rig.f.receiver.url("/bravo-fuzz"));
    createBase.put("event_types", List.of("order.created", "order.paid"));
    Map<String, Object> patchBase = new LinkedHashMap<>();
    patchBase.put("name", "Bravo renamed");
    patchBase.put("url", rig.f.receiver.url("/bravo-1"));
    patchBase.put("event_types", List.of("*"));
    Map<String, Kind> replayKinds = new LinkedHashMap<>();
    replayKinds.put("dry_run", Kind.BOOL);
    replayKinds.put("allow_repeat", Kind.BOOL);
    replayKinds.put("reason", Kind.REASON);
    replayKinds.put("event_type", Kind.TYPE);
    replayKinds.put("since", Kind.TIME);
    Map<String, Object> replayBase = new LinkedHashMap<>();
    replayBase.put("dry_run", true);
    replayBase.put("reason", "client_error");
    replayBase.put("event_type", "order.created");
    replayBase.put("since", "2h");
    Map<String, Kind> none = Map.of();
    Map<String, Object> empty = Map.of();
    return List.of(
        new Route("create", "POST", "", null, endpointKinds, createBase, false, true, false, false),
        new Route(
            "patch", "PATCH", "", rig.b1, endpointKinds, patchBase, false, false, false, false),
        new Route("put", "PUT", "", rig.b1, endpointKinds, createBase, false, true, false, true),
        new Route("disable", "POST", "/disable", rig.b2, none, empty, false, false, true, false),
        new Route(
            "reactivate", "POST", "/reactivate", rig.b2, none, empty, false, false, true, false),
        new Route("revoke", "POST", "/revoke", rig.b3, none, empty, false, false, true, false),
        new Route(
            "rotate", "POST", "/rotate-secret", rig.b2, none, empty, false, false, true, false),
        new Route("test", "POST", "/test", rig.b4, none, empty, false, false, true, false),
        new Route(
            "replay",
            "POST",
            "/dead-letters/replay",
            rig.b4,
            replayKinds,
            replayBase,
            true,
            false,
            true,
            false));
  }

  /** A generated body: what was done to it, its bytes, its content type, and what must answer. */
  record Body(String what, byte[] bytes, String contentType, Expect expect) {}

  @Test
  void fuzzedBodiesOnEveryRouteAreAnsweredAsValidOrAs4xx() throws Exception {
    Random rnd = new Random(SEED);
    Probes probes = rig.probes("fuzz", "fuzzed bodies");
    for (Route route : routes()) {
      for (int i = 0; i < 55; i++) {
        Body b = fuzz(route, rnd);
        Expect expect = route.alwaysInvalid() ? Expect.INVALID : b.expect();
        probes.send(
            new Probe(
                route.label() + " #" + i + " " + b.what(),
                rig.raw(
                    route.method(), route.path(route.ownId()), KEY_B, b.contentType(), b.bytes()),
                expect,
                true,
                expect == Expect.INVALID ? TIMEOUT : WRITE_TIMEOUT));
      }
      if (route.ownId() == null) {
        continue;
      }
      for (int i = 0; i < 12; i++) {
        Body b = fuzz(route, rnd);
        probes.send(
            route.label() + " on account A's endpoint #" + i + " " + b.what(),
            rig.raw(route.method(), route.path(rig.a1), KEY_B, b.contentType(), b.bytes()),
            Expect.INVALID);
      }
    }
    probes.report();
    rig.accountAIsUntouchedAndTheServerServesNormalRequests();
  }

  private static final String[] CONTENT_TYPES = {
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/json; charset=utf-16",
    "image/png",
    "application/json, text/html",
    "*/*",
    ""
  };

  private static final String[] BAD_UTF8 = {
    "ff", "c328", "c0af", "eda080", "f8888080", "e282", "80", "f4908080", "fe", "c1bf"
  };

  private static final String[] UNSAFE_ESCAPES = {
    "\\u0000",
    "\\r\\n",
    "\\r\\nX-Injected: yes",
    "\\u001b[31m",
    "\\u007f",
    "\\u0085",
    "\\u2028",
    "\\u2029",
    "\\u202e",
    "\\ud800",
    "\\udc00",
    "\\t",
    "\\n"
  };

  private static final String[] HUGE_NUMBERS = {
    "1e400",
    "-1e400",
    "123456789012345678901234567890",
    "1.7976931348623157e308",
    "9223372036854775808",
    "1e-400",
    "-0",
    "9".repeat(5_000),
    "0." + "0".repeat(3_000) + "1"
  };

  private static final String[] UNKNOWN_FIELDS = {
    "secret", "account_id", "id", "status", "__proto__", "", "NAME", "name ", "url\u0000"
  };

  private static final String DEEP_ARRAY = "[".repeat(10_000) + "]".repeat(10_000);
  private static final String DEEP_OBJECT = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);

  /** One mutation of {@code route}'s valid body, chosen by {@code rnd}. */
  private Body fuzz(Route route, Random rnd) {
    if (!route.takesFields()) {
      return fuzzNoBody(rnd);
    }
    List<String> names = new ArrayList<>(route.base().keySet());
    Map<String, String> fields = new LinkedHashMap<>(); // name -> JSON text of the value
    route.base().forEach((k, v) -> fields.put(k, json(v)));
    String field = names.get(rnd.nextInt(names.size()));
    Kind kind = route.kinds().get(field);
    int op = rnd.nextInt(21);
    switch (op) {
      case 0 -> {
        fields.put(field, pick(rnd, wrongTypes(kind)));
        return body("wrong type for " + field, fields, Expect.INVALID);
      }
      case 1 -> {
        fields.put(field, "null");
        return body("null " + field, fields, route.nullIsAbsent() ? Expect.VALID : Expect.INVALID);
      }
      case 2 -> {
        fields.put(field, json(huge(kind, rnd)));
        return body("huge " + field, fields, Expect.INVALID);
      }
      case 3 -> {
        fields.put(field, pick(rnd, HUGE_NUMBERS));
        return body("huge number for " + field, fields, Expect.INVALID);
      }
      case 4 -> {
        fields.put(field, rnd.nextBoolean() ? DEEP_ARRAY : DEEP_OBJECT);
        return body("10,000-deep " + field, fields, Expect.INVALID);
      }
      case 5 -> {
        String text = render(fields);
        String dup = "\"" + field + "\":" + fields.get(field);
        return new Body(
            "duplicate " + field,
            utf8("{" + dup + "," + text.substring(1)),
            "application/json",
            Expect.INVALID);
      }
      case 6 -> {
        String bad = pick(rnd, BAD_UTF8);
        byte[] insert = HexFormat.of().parseHex(bad);
        return inString("invalid UTF-8 " + bad, route, fields, field, insert, rnd);
      }
      case 7 -> {
        byte control = (byte) rnd.nextInt(0x20);
        return inString(
            "raw control byte " + control, route, fields, field, new byte[] {control}, rnd);
      }
      case 8 -> {
        String esc = pick(rnd, UNSAFE_ESCAPES);
        byte[] insert = esc.getBytes(StandardCharsets.US_ASCII);
        return inString("escaped " + esc, route, fields, field, insert, rnd);
      }
      case 9 -> {
        byte[] whole = utf8(render(fields));
        int cut = 1 + rnd.nextInt(whole.length - 1);
        return new Body(
            "truncated at " + cut, Arrays.copyOf(whole, cut), "application/json", Expect.INVALID);
      }
      case 10 -> {
        return new Body(
            "empty body",
            new byte[0],
            rnd.nextBoolean() ? "application/json" : null,
            route.emptyIsValid() ? Expect.VALID : Expect.INVALID);
      }
      case 11 -> {
        String type = pick(rnd, CONTENT_TYPES);
        return new Body("content type '" + type + "'", utf8(render(fields)), type, Expect.VALID);
      }
      case 12 -> {
        String unknown = pick(rnd, UNKNOWN_FIELDS);
        fields.put(unknown, pick(rnd, new String[] {"\"acc_a\"", "1", "{}", "null", "\"x\""}));
        return body("unknown field '" + unknown + "'", fields, Expect.INVALID);
      }
      case 13 -> {
        String top =
            pick(
                rnd,
                new String[] {"[]", "\"text\"", "1", "true", "null", "[" + render(fields) + "]"});
        return new Body("top-level " + top, utf8(top), "application/json", Expect.INVALID);
      }
      case 14 -> {
        byte[] b = utf8(render(fields));
        int flips = 1 + rnd.nextInt(3);
        for (int i = 0; i < flips; i++) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
        return new Body("random bytes changed", b, "application/json", Expect.ANY);
      }
      case 15 -> {
        fields.remove(field);
        Expect e =
            route.fieldsRequired() || (!route.nullIsAbsent() && fields.isEmpty())
                ? Expect.INVALID
                : Expect.VALID;
        return body("without " + field, fields, e);
      }
      case 16 -> {
        byte[] b = utf8(render(fields));
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
        if (rnd.nextBoolean()) {
          return new Body("UTF-8 byte order mark", concat(bom, b), "application/json", Expect.ANY);
        }
        return new Body(
            "UTF-16",
            render(fields).getBytes(StandardCharsets.UTF_16),
            "application/json",
            Expect.ANY);
      }
      case 17 -> {
        String pad = pick(rnd, new String[] {" ", "\t", "\r\n", "\n\n  "});
        StringBuilder spaced = new StringBuilder(pad + "{" + pad);
        for (Iterator<Map.Entry<String, String>> it = fields.entrySet().iterator();
            it.hasNext(); ) {
          Map.Entry<String, String> e = it.next();
          spaced.append(json(e.getKey())).append(pad).append(':').append(pad).append(e.getValue());
          spaced.append(it.hasNext() ? pad + "," + pad : pad);
        }
        spaced.append("}").append(pad);
        return new Body(
            "whitespace between tokens", utf8(spaced.toString()), "application/json", Expect.VALID);
      }
      case 18 -> {
        return new Body(
            "10,000-deep body",
            utf8(rnd.nextBoolean() ? DEEP_ARRAY : DEEP_OBJECT),
            "application/json",
            Expect.INVALID);
      }
      case 19 -> {
        fields.put("pad", json("p".repeat(64 * 1024 + rnd.nextInt(64 * 1024))));
        return body("over 64 KiB", fields, Expect.INVALID);
      }
      default -> {
        fields.put(field, json(valid(kind, rnd)));
        return body("another valid " + field, fields, Expect.VALID);
      }
    }
  }

  /** Mutations for routes that take no body: nothing, {} and whitespace are the valid ones. */
  private Body fuzzNoBody(Random rnd) {
    int op = rnd.nextInt(12);
    return switch (op) {
      case 0 -> new Body("no body", null, null, Expect.VALID);
      case 1 -> new Body("empty object", utf8("{}"), "application/json", Expect.VALID);
      case 2 -> new Body("whitespace", utf8(" \r\n\t "), "application/json", Expect.VALID);
      case 3 -> {
        String type = pick(rnd, CONTENT_TYPES);
        yield new Body("{} as '" + type + "'", utf8("{}"), type, Expect.VALID);
      }
      case 4 -> {
        String unknown = pick(rnd, UNKNOWN_FIELDS);
        yield new Body(
            "field '" + unknown + "'",
            utf8("{" + json(unknown) + ":\"x\"}"),
            "application/json",
            Expect.INVALID);
      }
      case 5 -> {
        String top = pick(rnd, new String[] {"[]", "\"text\"", "1", "true", "null", "garbage"});
        yield new Body("top-level " + top, utf8(top), "application/json", Expect.INVALID);
      }
      case 6 -> {
        String bad = pick(rnd, BAD_UTF8);
        yield new Body(
            "invalid UTF-8 " + bad,
            concat(utf8("{\"a\":\"x"), HexFormat.of().parseHex(bad), utf8("\"}")),
            "application/json",
            Expect.INVALID);
      }
      case 7 ->
          new Body(
              "10,000-deep body",
              utf8(rnd.nextBoolean() ? DEEP_ARRAY : DEEP_OBJECT),
              "application/json",
              Expect.INVALID);
      case 8 -> new Body("duplicate key", utf8("{\"a\":1,\"a\":1}"), null, Expect.INVALID);
      case 9 ->
          new Body(
              "over 64 KiB",
              utf8("{\"pad\":\"" + "p".repeat(70_000) + "\"}"),
              "application/json",
              Expect.INVALID);
      case 10 -> {
        byte[] b = utf8("{\"confirm\":true}");
        yield new Body(
            "truncated", Arrays.copyOf(b, 1 + rnd.nextInt(b.length - 1)), null, Expect.INVALID);
      }
      default -> {
        byte[] b = new byte[1 + rnd.nextInt(64)];
        rnd.nextBytes(b);
        yield new Body("random bytes", b, "application/octet-stream", Expect.ANY);
      }
    };
  }

  private String[] wrongTypes(Kind kind) {
    return switch (kind) {
      case TYPES ->
          new String[] {
            "\"order.created\"", "123", "true", "{}", "[]", "[1]", "[null]", "[[\"a.b\"]]", "[{}]"
          };
      case BOOL -> new String[] {"\"true\"", "1", "0", "\"yes\"", "[]", "{}", "[true]"};
      default -> new String[] {"123", "-1", "0.5", "true", "false", "[]", "{}", "[\"a.b\"]"};
    };
  }

  /** A value too large for the field, from just past its limit to past the 64 KiB body limit. */
  private Object huge(Kind kind, Random rnd) {
    int n = rnd.nextBoolean() ? 300 + rnd.nextInt(3_000) : 3_000 + rnd.nextInt(70_000);
    return switch (kind) {
      case URL -> rig.f.receiver.url("/") + "a".repeat(Math.max(n, 2_100));
      case TYPES -> {
        if (rnd.nextBoolean()) {
          yield List.of("a".repeat(n));
        }
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 101 + rnd.nextInt(2_000); i++) {
          many.add("type.n" + i);
        }
        yield many;
      }
      default -> "a".repeat(n);
    };
  }

  /** Another value the field accepts. */
  private Object valid(Kind kind, Random rnd) {
    return switch (kind) {
      case NAME -> randomName(rnd);
      case URL ->
          rig.f.receiver.url(
              pick(rnd, new String[] {"/a", "/bravo/x?y=1", "/p%20q", "/ünïcode", "/h#frag"}));
      case TYPES -> {
        if (rnd.nextInt(4) == 0) {
          yield List.of("*");
        }
        List<String> types = new ArrayList<>();
        for (int i = 0; i < 1 + rnd.nextInt(5); i++) {
          types.add(randomType(rnd));
        }
        yield types;
      }
      case BOOL -> rnd.nextBoolean();
      case REASON -> pick(rnd, new String[] {"client_error", "unsafe_url", "attempts_exhausted"});
      case TYPE -> randomType(rnd);
      case TIME ->
          pick(rnd, new String[] {"30m", "2h", "7d", "2026-11-27T10:00:00Z", "2026-11-20"});
    };
  }

  private String randomName(Random rnd) {
    String[] parts = {
      "a", "Z", "7", "é", "ß", "日本", "Ω", "😀", "-", "_", "'", "\"", "<b>", "&", "."
    };
    StringBuilder b = new StringBuilder(pick(rnd, new String[] {"N", "é", "日", "😀"}));
    int n = rnd.nextInt(30);
    for (int i = 0; i < n; i++) {
      b.append(rnd.nextInt(5) == 0 ? " " : "").append(pick(rnd, parts));
    }
    return b.toString();
  }

  private String randomType(Random rnd) {
    String letters = "abcdefghijklmnopqrstuvwxyz0123456789_-";
    StringBuilder b = new StringBuilder();
    int segments = 1 + rnd.nextInt(3);
    for (int s = 0; s < segments; s++) {
      if (s > 0) {
        b.append('.');
      }
      for (int i = 0; i < 1 + rnd.nextInt(10); i++) {
        b.append(letters.charAt(rnd.nextInt(letters.length())));
      }
    }
    return b.toString();
  }

  /** An invalid body: {@code insert} inside the string value of {@code field}. */
  private Body inString(
      String what,
      Route route,
      Map<String, String> fields,
      String field,
      byte[] insert,
      Random rnd) {
    return new Body(
        what + " in " + field,
        insertInString(route, fields, field, insert, rnd),
        "application/json",
        Expect.INVALID);
  }

  /**
   * The body with {@code insert} placed in the middle of the string value of {@code field} (in the
   * path of a URL, in the first event type): never at an end, where it would be stripped.
   */
  private byte[] insertInString(
      Route route, Map<String, String> fields, String field, byte[] insert, Random rnd) {
    Kind kind = route.kinds().get(field);
    String marker = "MARKER0INSERT";
    Object base = route.base().get(field);
    String text;
    if (kind == Kind.TYPES) {
      text = "order.created";
    } else if (base instanceof String s && s.length() >= 2) {
      text = s;
    } else {
      text = "value";
    }
    int from = kind == Kind.URL ? text.indexOf('/', "https://".length()) + 2 : 1;
    int at = from + rnd.nextInt(Math.max(1, text.length() - from));
    String marked = text.substring(0, at) + marker + text.substring(at);
    fields.put(field, kind == Kind.TYPES ? json(List.of(marked)) : json(marked));
    byte[] whole = utf8(render(fields));
    byte[] m = utf8(marker);
    int pos = indexOf(whole, m);
    return concat(
        Arrays.copyOf(whole, pos), insert, Arrays.copyOfRange(whole, pos + m.length, whole.length));
  }

  private Body body(String what, Map<String, String> fields, Expect expect) {
    return new Body(what, utf8(render(fields)), "application/json", expect);
  }

  private String render(Map<String, String> fields) {
    StringBuilder b = new StringBuilder("{");
    for (Iterator<Map.Entry<String, String>> it = fields.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, String> e = it.next();
      b.append(json(e.getKey())).append(':').append(e.getValue());
      if (it.hasNext()) {
        b.append(',');
      }
    }
    return b.append('}').toString();
  }
}
