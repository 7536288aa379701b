package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.admin.RawHttp.Reply;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile input against the real admin server on the embedded broker, sent as account B beside
 * account A: seeded fuzzing of every route that takes a body (or must refuse one), path tricks,
 * oversized and malformed requests, CR/LF injection. Every request goes over a bare socket ({@link
 * RawHttp}), so the bytes on the wire are exactly the hostile ones and every response header block
 * is inspected. Each answer must be a 2xx only for valid input and otherwise a 4xx in the error
 * format: never a 5xx, never a hang (10 s per request), never a byte of account A's endpoints in an
 * answer to B, never a split or injected response header. The server must be healthy and serve a
 * normal request afterwards.
 *
 * <p>The seed is random and printed with every failure; {@code -Dflintn.fuzz.seed=N} repeats a run.
 */
@Tag("broker")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileApiInputTest {
  private static final long SEED = Long.getLong("flintn.fuzz.seed", System.nanoTime());
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A valid write may wait for the endpoint-state app up to its own 10 s bound before a 503. */
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(20);

  private static final Pattern ERROR_CODE = Pattern.compile("[a-z_]{3,40}");
  private static final Pattern HEADER_LINE =
      Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\\t\\x20-\\x7e]*");

  private static AdminFixture f;
  private static int port;

  /** Account A's endpoints, and every string of theirs that must never reach account B. */
  private static String a1;

  private static String a2;
  private static final List<String> A_SECRETS = new ArrayList<>();
  private static final Map<String, JsonNode> A_BEFORE = new LinkedHashMap<>();

  /** Account B's endpoints: b1 is patched, b2 disabled and reactivated, b3 revoked, b4 tested. */
  private static String b1;

  private static String b2;
  private static String b3;
  private static String b4;

  private static int requests;
  private static final Map<String, Integer> COUNTS = new LinkedHashMap<>();
  private static final Map<Integer, Integer> STATUSES = new java.util.TreeMap<>();

  /** What the answer to a request must be. */
  enum Expect {
    /** Valid input: a 2xx. */
    VALID,
    /** Invalid input: a 4xx in the error format. */
    INVALID,
    /** Either, as long as it is not a 5xx (the input may or may not still be valid). */
    ANY
  }

  /** One request on the wire, what it is, and what must come back. */
  record Probe(String what, byte[] request, Expect expect, boolean asAccountB, Duration timeout) {}

  @BeforeAll
  static void start() throws Exception {
    // Valid fuzzed bodies on /test send test events by the dozen; their rate limit has its own
    // test (AccountLimitsTest), so it is lifted here to keep every valid body a 202.
    f = new AdminFixture("hostile", Map.of(ConfigKey.ADMIN_TEST_EVENTS_PER_MINUTE, "10000"));
    port = f.admin.port();
    // The first write can wait for the endpoint-state app to settle; later ones are quick.
    a1 = createWithRetry(KEY_A, "Alpha Payroll Secret Qx7", f.receiver.url("/alpha-secret-q7x"));
    a2 = createWithRetry(KEY_A, "Alpha Ledger Hidden Zk3", f.receiver.url("/alpha-hidden-z3k"));
    b1 = createWithRetry(KEY_B, "Bravo patched", f.receiver.url("/bravo-1"));
    b2 = createWithRetry(KEY_B, "Bravo toggled", f.receiver.url("/bravo-2"));
    b3 = createWithRetry(KEY_B, "Bravo revoked", f.receiver.url("/bravo-3"));
    b4 = createWithRetry(KEY_B, "Bravo tested", f.receiver.url("/bravo-4"));
    for (String id : List.of(a1, a2)) {
      JsonNode e = f.call("GET", "/v1/webhooks/" + id, KEY_A, null).body();
      A_BEFORE.put(id, e);
      A_SECRETS.add(id);
      A_SECRETS.add(e.get("name").asText());
      A_SECRETS.add(e.get("url").asText());
      A_SECRETS.add(e.get("url").asText().replaceAll(".*/", "/")); // the path alone
    }
    A_SECRETS.add("acc_a");
    System.out.println("hostile API input: seed " + SEED);
  }

  @AfterAll
  static void stop() {
    System.out.println(
        "hostile API input: "
            + requests
            + " requests in all, "
            + COUNTS
            + "; statuses "
            + STATUSES);
    f.close();
  }

  /** After each group, the server still answers /health and a normal read. */
  @AfterEach
  void serverIsStillHealthy() throws Exception {
    Reply health = RawHttp.send(port, raw("GET", "/health", null, null, null), TIMEOUT);
    assertThat(health.status()).as(health.bodyText()).isEqualTo(200);
    assertThat(Json.mapper().readTree(health.body()).get("status").asText()).isEqualTo("up");
    Reply list = RawHttp.send(port, raw("GET", "/v1/webhooks", KEY_A, null, null), TIMEOUT);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.bodyText()).contains(a1, a2);
  }

  // ---------------------------------------------------------------------------------------------
  // Fuzzed bodies

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

  private static List<Route> routes() {
    Map<String, Kind> endpointKinds = new LinkedHashMap<>();
    endpointKinds.put("name", Kind.NAME);
    endpointKinds.put("url", Kind.URL);
    endpointKinds.put("event_types", Kind.TYPES);
    Map<String, Object> createBase = new LinkedHashMap<>();
    createBase.put("name", "Bravo fuzz");
    createBase.put("url", f.receiver.url("/bravo-fuzz"));
    createBase.put("event_types", List.of("order.created", "order.paid"));
    Map<String, Object> patchBase = new LinkedHashMap<>();
    patchBase.put("name", "Bravo renamed");
    patchBase.put("url", f.receiver.url("/bravo-1"));
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
        new Route("patch", "PATCH", "", b1, endpointKinds, patchBase, false, false, false, false),
        new Route("put", "PUT", "", b1, endpointKinds, createBase, false, true, false, true),
        new Route("disable", "POST", "/disable", b2, none, empty, false, false, true, false),
        new Route("reactivate", "POST", "/reactivate", b2, none, empty, false, false, true, false),
        new Route("revoke", "POST", "/revoke", b3, none, empty, false, false, true, false),
        new Route("rotate", "POST", "/rotate-secret", b2, none, empty, false, false, true, false),
        new Route("test", "POST", "/test", b4, none, empty, false, false, true, false),
        new Route(
            "replay",
            "POST",
            "/dead-letters/replay",
            b4,
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
  @Order(1)
  void fuzzedBodiesOnEveryRouteAreAnsweredAsValidOrAs4xx() throws Exception {
    Random rnd = new Random(SEED);
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    int before = requests;
    for (Route route : routes()) {
      for (int i = 0; i < 55; i++) {
        Body b = fuzz(route, rnd);
        Expect expect = route.alwaysInvalid() ? Expect.INVALID : b.expect();
        probe(
            new Probe(
                route.label() + " #" + i + " " + b.what(),
                raw(route.method(), route.path(route.ownId()), KEY_B, b.contentType(), b.bytes()),
                expect,
                true,
                expect == Expect.INVALID ? TIMEOUT : WRITE_TIMEOUT),
            "fuzz",
            failures);
      }
      if (route.ownId() == null) {
        continue;
      }
      for (int i = 0; i < 12; i++) {
        Body b = fuzz(route, rnd);
        probe(
            new Probe(
                route.label() + " on account A's endpoint #" + i + " " + b.what(),
                raw(route.method(), route.path(a1), KEY_B, b.contentType(), b.bytes()),
                Expect.INVALID,
                true,
                TIMEOUT),
            "fuzz",
            failures);
      }
    }
    report("fuzzed bodies", failures, started, before);
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
  private static Body fuzz(Route route, Random rnd) {
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
        return new Body(
            "invalid UTF-8 " + bad + " in " + field,
            insertInString(route, fields, field, HexFormat.of().parseHex(bad), rnd),
            "application/json",
            Expect.INVALID);
      }
      case 7 -> {
        byte control = (byte) rnd.nextInt(0x20);
        return new Body(
            "raw control byte " + control + " in " + field,
            insertInString(route, fields, field, new byte[] {control}, rnd),
            "application/json",
            Expect.INVALID);
      }
      case 8 -> {
        String esc = pick(rnd, UNSAFE_ESCAPES);
        return new Body(
            "escaped " + esc + " in " + field,
            insertInString(route, fields, field, esc.getBytes(StandardCharsets.US_ASCII), rnd),
            "application/json",
            Expect.INVALID);
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
  private static Body fuzzNoBody(Random rnd) {
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

  private static String[] wrongTypes(Kind kind) {
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
  private static Object huge(Kind kind, Random rnd) {
    int n = rnd.nextBoolean() ? 300 + rnd.nextInt(3_000) : 3_000 + rnd.nextInt(70_000);
    return switch (kind) {
      case URL -> f.receiver.url("/") + "a".repeat(Math.max(n, 2_100));
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
  private static Object valid(Kind kind, Random rnd) {
    return switch (kind) {
      case NAME -> randomName(rnd);
      case URL ->
          f.receiver.url(
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

  private static String randomName(Random rnd) {
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

  private static String randomType(Random rnd) {
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

  /**
   * The body with {@code insert} placed in the middle of the string value of {@code field} (in the
   * path of a URL, in the first event type): never at an end, where it would be stripped.
   */
  private static byte[] insertInString(
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

  private static Body body(String what, Map<String, String> fields, Expect expect) {
    return new Body(what, utf8(render(fields)), "application/json", expect);
  }

  private static String render(Map<String, String> fields) {
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

  // ---------------------------------------------------------------------------------------------
  // Paths, headers, request lines

  @Test
  @Order(2)
  void pathTricksNeverReachAnotherAccountsEndpoint() throws Exception {
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    int before = requests;
    String a = a1;
    String b = b1;
    List<String> onA =
        List.of(
            "/v1/webhooks/../webhooks/" + a,
            "/v1/webhooks/./" + a,
            "/v1/webhooks/%2e%2e/webhooks/" + a,
            "/v1/webhooks/%2e/" + a,
            "/v1/webhooks/.%2e/webhooks/" + a,
            "/v1/webhooks/%2E%2E/webhooks/" + a,
            "/v1/webhooks/" + b + "/../" + a,
            "/v1/webhooks/" + b + "/%2e%2e/" + a,
            "/v1/webhooks/" + b + "%2f..%2f" + a,
            "/v1/webhooks/" + b + "%2F%2E%2E%2F" + a,
            "/v1/webhooks%2f" + a,
            "/v1%2fwebhooks%2f" + a,
            "/v1/webhooks/%252e%252e/" + a,
            "/v1/webhooks/" + percentEncodeAll(a),
            "/v1/webhooks/" + percentEncodeAll(a).replace("%", "%25"),
            "/v1/webhooks/" + a + "%00",
            "/v1/webhooks/" + a + "/",
            "/v1/webhooks/" + a + "//",
            "/v1/webhooks//" + a,
            "/v1//webhooks/" + a,
            "//v1/webhooks/" + a,
            "/v1/webhooks/" + a + ";x=y",
            "/v1/webhooks/" + a + ";jsessionid=1",
            "/v1/webhooks;x=y/" + a,
            "/v1/webhooks/" + a + ".json",
            "/v1/webhooks/" + a + "%20",
            "/v1/webhooks/%20" + a,
            "/v1/webhooks/" + a + "%09",
            "/v1/webhooks/" + a.toUpperCase(Locale.ROOT),
            "/v1/webhooks/" + a.toLowerCase(Locale.ROOT),
            "/V1/WEBHOOKS/" + a,
            "/v1/webhooks/" + a + "/attempts/../../" + a,
            "/v1/webhooks/" + a + "/attempts",
            "/v1/webhooks/" + a + "/attempts?limit=100",
            "/v1/webhooks/" + a + "/dead-letters",
            "/v1/webhooks/" + a + "%2fattempts",
            "/v1/webhooks/" + a + "?account_id=acc_a",
            "/v1/webhooks/" + a + "%23",
            "/v1/webhooks/" + a + "%3f",
            "/v1/webhooks/" + a + "\\",
            "/v1/webhooks\\" + a,
            "/v1/webhooks/" + a + "%5c",
            "/v1/webhooks/%c0%ae%c0%ae/webhooks/" + a,
            "/v1/webhooks/%e2%80%a8" + a,
            "/v1/webhooks/" + a + "%0d%0aX-Injected:%20yes",
            "/v1/webhooks/" + a + "%0aX-Injected:%20yes",
            "/v1/webhooks/" + a + "/%2e%2e",
            "http://127.0.0.1:" + port + "/v1/webhooks/" + a,
            "http://evil.example/v1/webhooks/" + a);
    for (String target : onA) {
      for (String method : List.of("GET", "PATCH", "POST")) {
        String t = method.equals("POST") ? target + "/disable" : target;
        byte[] body = method.equals("GET") ? null : utf8("{\"name\":\"taken over\"}");
        probe(
            new Probe(
                method + " " + t,
                raw(method, t, KEY_B, body == null ? null : "application/json", body),
                Expect.INVALID,
                true,
                TIMEOUT),
            "paths",
            failures);
      }
    }
    List<String> odd =
        List.of(
            "/v1/webhooks/" + "e".repeat(10_000),
            "/v1/webhooks/ep_" + "x".repeat(3_000),
            "/v1/webhooks/ep_a.b",
            "/v1/webhooks/..",
            "/v1/webhooks/.",
            "/v1/webhooks/...",
            "/v1/webhooks/ep_%01",
            "/v1/webhooks/ep_%7f",
            "/v1/webhooks/ep_%ff",
            "/v1/webhooks/%00",
            "/v1/webhooks/ep_x%00",
            "/v1/webhooks/ep_x%00.json",
            "/v1/webhooks/ep_%e2%80%ae",
            "/v1/webhooks/ep_%0d%0a",
            "/v1/webhooks/%",
            "/v1/webhooks/%zz",
            "/v1/webhooks?account_id=acc_a&limit=%",
            "/../../../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/..%2f..%2fetc/passwd",
            "/v1",
            "/v1/",
            "/v1/webhooks/" + a + "/../../../health");
    for (String target : odd) {
      probe(
          new Probe(
              "GET " + target, raw("GET", target, KEY_B, null, null), Expect.ANY, true, TIMEOUT),
          "paths",
          failures);
    }
    // The caller's own endpoint through the same tricks: allowed to succeed, never anyone else's.
    for (String target :
        List.of(
            "/v1/webhooks/" + b + "/",
            "/v1/webhooks/./" + b,
            "/v1/webhooks/" + b + ";x=y",
            "/v1/webhooks?account_id=acc_a",
            "/v1/webhooks/?account_id=acc_a")) {
      probe(
          new Probe(
              "GET " + target, raw("GET", target, KEY_B, null, null), Expect.ANY, true, TIMEOUT),
          "paths",
          failures);
    }
    report("path tricks", failures, started, before);
  }

  @Test
  @Order(3)
  void oversizedAndMalformedRequestsAre4xxInTheErrorFormat() throws Exception {
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    int before = requests;
    String auth = "Authorization: Bearer " + KEY_B;
    String host = "Host: 127.0.0.1:" + port;
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put(
        "64 KiB header",
        "GET /v1/webhooks HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\nX-Pad: "
            + "x".repeat(64 * 1024)
            + "\r\nConnection: close\r\n\r\n");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    cases.put(
        "5,000 headers",
        "GET /v1/webhooks HTTP/1.1\r\n" + host + "\r\n" + auth + "\r\n" + many + "\r\n");
    cases.put(
        "100 KiB bearer key",
        "GET /v1/webhooks HTTP/1.1\r\n"
            + host
            + "\r\nAuthorization: Bearer "
            + "k".repeat(100 * 1024)
            + "\r\n\r\n");
    cases.put(
        "64 KiB cookie",
        "GET /v1/webhooks HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\nCookie: a="
            + "c".repeat(64 * 1024)
            + "\r\n\r\n");
    cases.put(
        "64 KiB path",
        "GET /v1/webhooks/"
            + "e".repeat(64 * 1024)
            + " HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\n\r\n");
    cases.put(
        "64 KiB query",
        "GET /v1/webhooks?"
            + "a=1&".repeat(16 * 1024)
            + " HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\n\r\n");
    cases.put(
        "10,000-letter method",
        "G".repeat(10_000) + " /v1/webhooks HTTP/1.1\r\n" + host + "\r\n\r\n");
    cases.put(
        "lower-case method", "get /v1/webhooks HTTP/1.1\r\n" + host + "\r\n" + auth + "\r\n\r\n");
    cases.put("HTTP/0.9", "GET /v1/webhooks\r\n\r\n");
    cases.put("HTTP/2.0 on HTTP/1 framing", "GET /v1/webhooks HTTP/2.0\r\n" + host + "\r\n\r\n");
    cases.put("HTTP/1.7", "GET /v1/webhooks HTTP/1.7\r\n" + host + "\r\n\r\n");
    cases.put("no version, garbage", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\r\n\r\n");
    cases.put("no host", "GET /v1/webhooks HTTP/1.1\r\n" + auth + "\r\n\r\n");
    cases.put(
        "two hosts", "GET /v1/webhooks HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + auth + "\r\n\r\n");
    cases.put(
        "header without a colon", "GET /v1/webhooks HTTP/1.1\r\n" + host + "\r\nNoColon\r\n\r\n");
    cases.put(
        "space in a header name", "GET /v1/webhooks HTTP/1.1\r\n" + host + "\r\nX Bad: 1\r\n\r\n");
    cases.put("empty header name", "GET /v1/webhooks HTTP/1.1\r\n" + host + "\r\n: x\r\n\r\n");
    cases.put(
        "Content-Length and Transfer-Encoding",
        "POST /v1/webhooks HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    cases.put(
        "unknown transfer coding",
        "POST /v1/webhooks HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\nTransfer-Encoding: gzip\r\n\r\nxxxx");
    cases.put(
        "bad chunk size",
        "POST /v1/webhooks HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
    cases.put(
        "negative Content-Length",
        "POST /v1/webhooks HTTP/1.1\r\n" + host + "\r\n" + auth + "\r\nContent-Length: -1\r\n\r\n");
    cases.put(
        "20-digit Content-Length",
        "POST /v1/webhooks HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\nContent-Length: 99999999999999999999\r\n\r\n");
    cases.put(
        "two different Content-Lengths",
        "POST /v1/webhooks HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x");
    cases.put(
        "body shorter than its Content-Length",
        "POST /v1/webhooks HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\nContent-Length: 100\r\n\r\n{\"name\":1}");
    cases.put(
        "10 MiB Content-Length declared",
        "POST /v1/webhooks HTTP/1.1\r\n"
            + host
            + "\r\n"
            + auth
            + "\r\nContent-Length: 10485760\r\n\r\n{");
    cases.put("CONNECT", "CONNECT 127.0.0.1:22 HTTP/1.1\r\n" + host + "\r\n\r\n");
    cases.put("OPTIONS *", "OPTIONS * HTTP/1.1\r\n" + host + "\r\n\r\n");
    cases.put("TRACE", "TRACE /v1/webhooks HTTP/1.1\r\n" + host + "\r\n" + auth + "\r\n\r\n");
    cases.put(
        "unknown method", "BREW /v1/webhooks HTTP/1.1\r\n" + host + "\r\n" + auth + "\r\n\r\n");
    cases.put(
        "PUT a collection",
        "PUT /v1/webhooks HTTP/1.1\r\n" + host + "\r\n" + auth + "\r\nContent-Length: 2\r\n\r\n{}");
    cases.put(
        "DELETE an endpoint",
        "DELETE /v1/webhooks/" + b1 + " HTTP/1.1\r\n" + host + "\r\n" + auth + "\r\n\r\n");
    cases.put(
        "non-ASCII in the path",
        "GET /v1/webhooks/\u00e9\u00ff HTTP/1.1\r\n" + host + "\r\n" + auth + "\r\n\r\n");
    cases.put(
        "space in the path", "GET /v1/web hooks HTTP/1.1\r\n" + host + "\r\n" + auth + "\r\n\r\n");
    cases.put(
        "Basic instead of Bearer",
        "GET /v1/webhooks HTTP/1.1\r\n" + host + "\r\nAuthorization: Basic YTpi\r\n\r\n");
    cases.put(
        "non-ASCII key",
        "GET /v1/webhooks HTTP/1.1\r\n" + host + "\r\nAuthorization: Bearer \u00ff\u00fe\r\n\r\n");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      probe(
          new Probe(
              c.getKey(),
              c.getValue().getBytes(StandardCharsets.ISO_8859_1),
              Expect.INVALID,
              true,
              TIMEOUT),
          "malformed",
          failures);
    }
    report("oversized and malformed requests", failures, started, before);
  }

  @Test
  @Order(4)
  void crLfNeverSplitsOrInjectsAResponseHeader() throws Exception {
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    int before = requests;
    String auth = "Authorization: Bearer " + KEY_B;
    String host = "Host: 127.0.0.1:" + port;
    Map<String, byte[]> wire = new LinkedHashMap<>();
    String[] injections = {
      "\r\nX-Injected: yes", "\nX-Injected: yes", "\rX-Injected: yes", "\r\n\r\nHTTP/1.1 200 OK\r\n"
    };
    for (String inj : injections) {
      String shown = inj.replace("\r", "\\r").replace("\n", "\\n");
      wire.put(
          "CR/LF in the request line: " + shown,
          latin1(
              "GET /v1/webhooks?x=1" + inj + " HTTP/1.1\r\n" + host + "\r\n" + auth + "\r\n\r\n"));
      wire.put(
          "CR/LF in a header value: " + shown,
          latin1(
              "GET /v1/webhooks HTTP/1.1\r\n"
                  + host
                  + "\r\nX-Note: a"
                  + inj
                  + "\r\n"
                  + auth
                  + "\r\nConnection: close\r\n\r\n"));
      wire.put(
          "CR/LF in the bearer key: " + shown,
          latin1(
              "GET /v1/webhooks HTTP/1.1\r\n"
                  + host
                  + "\r\nAuthorization: Bearer x"
                  + inj
                  + "\r\nConnection: close\r\n\r\n"));
      wire.put(
          "CR/LF in Content-Type: " + shown,
          latin1(
              "POST /v1/webhooks HTTP/1.1\r\n"
                  + host
                  + "\r\n"
                  + auth
                  + "\r\nContent-Type: application/json"
                  + inj
                  + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));
    }
    wire.put(
        "obs-fold header continuation",
        latin1(
            "GET /v1/webhooks HTTP/1.1\r\n"
                + host
                + "\r\nX-A: 1\r\n X-Injected: yes\r\n"
                + auth
                + "\r\n\r\n"));
    wire.put(
        "NUL in a header value",
        latin1(
            "GET /v1/webhooks HTTP/1.1\r\n"
                + host
                + "\r\nX-A: 1\u0000X-Injected: yes\r\n"
                + auth
                + "\r\n\r\n"));
    for (Map.Entry<String, byte[]> c : wire.entrySet()) {
      probe(new Probe(c.getKey(), c.getValue(), Expect.ANY, true, TIMEOUT), "crlf", failures);
    }
    // CR/LF in JSON: names, URLs, event types, dead-letter filters; and in query parameters.
    String[] jsonInjections = {
      "\\r\\nX-Injected: yes",
      "\\nSet-Cookie: a=b",
      "\\r\\n\\r\\nHTTP/1.1 200 OK",
      "\\u000d\\u000aX-Injected: yes"
    };
    String url = f.receiver.url("/bravo-crlf");
    for (String inj : jsonInjections) {
      List<String> bodies =
          List.of(
              "{\"name\":\"Bravo" + inj + "\",\"url\":\"" + url + "\",\"event_types\":[\"a.b\"]}",
              "{\"name\":\"Bravo\",\"url\":\"" + url + inj + "\",\"event_types\":[\"a.b\"]}",
              "{\"name\":\"Bravo\",\"url\":\""
                  + url.replace("localhost", "localhost" + inj)
                  + "\",\"event_types\":[\"a.b\"]}",
              "{\"name\":\"Bravo\",\"url\":\"" + url + "\",\"event_types\":[\"a.b" + inj + "\"]}");
      for (String body : bodies) {
        probe(
            new Probe(
                "create with " + body,
                raw("POST", "/v1/webhooks", KEY_B, "application/json", utf8(body)),
                Expect.INVALID,
                true,
                TIMEOUT),
            "crlf",
            failures);
      }
      probe(
          new Probe(
              "patch name with " + inj,
              raw(
                  "PATCH",
                  "/v1/webhooks/" + b1,
                  KEY_B,
                  "application/json",
                  utf8("{\"name\":\"B" + inj + "\"}")),
              Expect.INVALID,
              true,
              TIMEOUT),
          "crlf",
          failures);
      probe(
          new Probe(
              "replay event_type with " + inj,
              raw(
                  "POST",
                  "/v1/webhooks/" + b4 + "/dead-letters/replay",
                  KEY_B,
                  "application/json",
                  utf8("{\"dry_run\":true,\"event_type\":\"a" + inj + "\"}")),
              Expect.INVALID,
              true,
              TIMEOUT),
          "crlf",
          failures);
    }
    for (String query :
        List.of(
            "/attempts?limit=1%0d%0aX-Injected:%20yes",
            "/attempts?limit=%0d%0a",
            "/dead-letters?event_type=a%0d%0aX-Injected:%20yes",
            "/dead-letters?reason=%0d%0aSet-Cookie:%20a=b",
            "/dead-letters?since=1h%0d%0aX-Injected:%20yes",
            "/dead-letters?limit=5%0aX-Injected:%20yes")) {
      probe(
          new Probe(
              "query " + query,
              raw("GET", "/v1/webhooks/" + b4 + query, KEY_B, null, null),
              Expect.INVALID,
              true,
              TIMEOUT),
          "crlf",
          failures);
    }
    // A valid create: the one header built from the request's outcome is exactly the new path.
    Reply created =
        probe(
            new Probe(
                "valid create",
                raw(
                    "POST",
                    "/v1/webhooks",
                    KEY_B,
                    "application/json",
                    utf8(
                        "{\"name\":\"Bravo clean\",\"url\":\""
                            + url
                            + "\",\"event_types\":[\"a.b\"]}")),
                Expect.VALID,
                true,
                WRITE_TIMEOUT),
            "crlf",
            failures);
    if (created != null && created.status() == 201) {
      assertThat(created.header("Location")).matches("/v1/webhooks/ep_[A-Za-z0-9]{24}");
    }
    report("CR/LF injection", failures, started, before);
  }

  @Test
  @Order(5)
  void anotherAccountsEndpointAnswersExactlyLikeAMissingOne() throws Exception {
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    int before = requests;
    String missing = "ep_" + "Q".repeat(a1.length() - 3);
    String[][] calls = {
      {"GET", "", null},
      {"PATCH", "", "{\"name\":\"taken over\"}"},
      {"PUT", "", "{\"name\":\"taken over\"}"},
      {"POST", "/disable", null},
      {"POST", "/reactivate", null},
      {"POST", "/revoke", null},
      {"POST", "/rotate-secret", null},
      {"POST", "/test", null},
      {"GET", "/attempts", null},
      {"GET", "/attempts?limit=5", null},
      {"GET", "/dead-letters", null},
      {"POST", "/dead-letters/replay", "{\"dry_run\":true}"},
      {"POST", "/dead-letters/replay", "{}"}
    };
    for (String[] c : calls) {
      byte[] body = c[2] == null ? null : utf8(c[2]);
      String type = body == null ? null : "application/json";
      Reply foreign =
          probe(
              new Probe(
                  c[0] + " account A's endpoint" + c[1],
                  raw(c[0], "/v1/webhooks/" + a1 + c[1], KEY_B, type, body),
                  Expect.INVALID,
                  true,
                  TIMEOUT),
              "isolation",
              failures);
      Reply absent =
          probe(
              new Probe(
                  c[0] + " a missing endpoint" + c[1],
                  raw(c[0], "/v1/webhooks/" + missing + c[1], KEY_B, type, body),
                  Expect.INVALID,
                  true,
                  TIMEOUT),
              "isolation",
              failures);
      if (foreign != null && absent != null) {
        String one = foreign.status() + " " + foreign.bodyText().replace(a1, "{id}");
        String other = absent.status() + " " + absent.bodyText().replace(missing, "{id}");
        if (!one.equals(other)) {
          failures.add(
              c[0]
                  + " "
                  + c[1]
                  + ": account A's endpoint answers "
                  + one
                  + " but a missing one "
                  + other);
        }
      }
    }
    report("another account's ids", failures, started, before);
  }

  @Test
  @Order(6)
  void accountAIsUntouchedAndTheServerServesNormalRequestsAfterwards() throws Exception {
    for (Map.Entry<String, JsonNode> e : A_BEFORE.entrySet()) {
      JsonNode now = f.call("GET", "/v1/webhooks/" + e.getKey(), KEY_A, null).body();
      assertThat(now).as("account A's endpoint after all of B's requests").isEqualTo(e.getValue());
    }
    assertThat(f.call("GET", "/v1/webhooks", KEY_A, null).body().get("data")).hasSize(2);
    AdminFixture.Answer created =
        f.create(KEY_B, "Bravo after the storm", f.receiver.url("/bravo-after"), "order.created");
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.body().get("id").asText();
    assertThat(f.call("GET", "/v1/webhooks/" + id, KEY_B, null).body().get("name").asText())
        .isEqualTo("Bravo after the storm");
    assertThat(f.call("POST", "/v1/webhooks/" + id + "/test", KEY_B, null).status()).isEqualTo(202);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !f.receiver.receivedAt("/bravo-after").isEmpty());
  }

  // ---------------------------------------------------------------------------------------------
  // Sending and checking

  /** Sends one probe, checks its answer, and returns it (null if there was none). */
  private static Reply probe(Probe p, String group, List<String> failures) {
    requests++;
    COUNTS.merge(group, 1, Integer::sum);
    Reply r;
    try {
      r = RawHttp.send(port, p.request(), p.timeout());
    } catch (SocketTimeoutException e) {
      failures.add(p.what() + ": no answer within " + p.timeout().toSeconds() + " s" + shown(p));
      return null;
    } catch (IOException e) {
      failures.add(p.what() + ": " + e + shown(p));
      return null;
    }
    STATUSES.merge(r.status(), 1, Integer::sum);
    String problem = problem(p, r);
    if (problem != null) {
      failures.add(
          p.what()
              + ": "
              + problem
              + " ("
              + r.statusLine()
              + " "
              + excerpt(r.bodyText(), 300)
              + ")"
              + shown(p));
    }
    return r;
  }

  /** What is wrong with {@code r} as the answer to {@code p}, or null. */
  private static String problem(Probe p, Reply r) {
    int s = r.status();
    if (s >= 500) {
      return "a " + s;
    }
    if (s < 200 || (s >= 300 && s < 400)) {
      return "neither a 2xx nor a 4xx";
    }
    if (s < 300 && p.expect() == Expect.INVALID) {
      return "a " + s + " for invalid input";
    }
    if (s >= 400 && p.expect() == Expect.VALID) {
      return "a " + s + " for valid input";
    }
    for (String line : r.headerLines()) {
      if (!HEADER_LINE.matcher(line).matches()) {
        return "a malformed response header line " + excerpt(line, 120);
      }
      String name = line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT);
      if (name.equals("x-injected") || name.equals("set-cookie")) {
        return "an injected response header " + excerpt(line, 120);
      }
    }
    if (r.after().length > 0) {
      // Bytes after the first answer are only allowed as the answers to further requests that the
      // hostile bytes themselves formed (CR LF CR LF ends a request early): each must be a 4xx in
      // the error format, never something the request wrote, such as a 200.
      byte[] rest = r.after();
      while (rest.length > 0) {
        Reply next;
        try {
          next = RawHttp.parse(rest);
        } catch (IOException e) {
          return "bytes after the response: "
              + excerpt(new String(rest, StandardCharsets.ISO_8859_1), 120);
        }
        String wrong = next.status() >= 400 && next.status() < 500 ? errorFormatProblem(next) : "";
        if (wrong != null) {
          return "a further response " + next.statusLine() + " " + wrong;
        }
        rest = next.after();
      }
    }
    if (s >= 400 && !isHead(p)) {
      String format = errorFormatProblem(r);
      if (format != null) {
        return format;
      }
    }
    if (p.asAccountB()) {
      // The answer may echo what B itself sent (an id it tried, even percent-encoded), nothing
      // more.
      String sent = new String(p.request(), StandardCharsets.ISO_8859_1);
      String sentDecoded = percentDecode(percentDecode(sent));
      String answer = String.join("\n", r.headerLines()) + "\n" + r.bodyText();
      for (String secret : A_SECRETS) {
        if (answer.contains(secret) && !sent.contains(secret) && !sentDecoded.contains(secret)) {
          return "account A's " + secret + " in an answer to account B";
        }
      }
    }
    return null;
  }

  private static String errorFormatProblem(Reply r) {
    String type = r.header("Content-Type");
    if (type == null || !type.startsWith("application/json")) {
      return "an error that is not JSON (Content-Type " + type + ")";
    }
    JsonNode o;
    try {
      o = Json.mapper().readTree(r.body());
    } catch (IOException e) {
      return "an error body that does not parse";
    }
    if (o == null
        || !o.isObject()
        || o.size() != 1
        || !o.path("error").isObject()
        || o.get("error").size() != 2
        || !o.get("error").path("code").isTextual()
        || !ERROR_CODE.matcher(o.get("error").get("code").asText()).matches()
        || !o.get("error").path("message").isTextual()
        || o.get("error").get("message").asText().isBlank()) {
      return "an error not in the {\"error\":{\"code\",\"message\"}} format";
    }
    return null;
  }

  private static boolean isHead(Probe p) {
    return p.request().length >= 5
        && new String(p.request(), 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
  }

  private static void report(String what, List<String> failures, long started, int before) {
    long ms = (System.nanoTime() - started) / 1_000_000;
    System.out.printf(
        "hostile API input: %s: %d requests in %.1f s, %d failures (seed %d)%n",
        what, requests - before, ms / 1000.0, failures.size(), SEED);
    assertThat(failures)
        .as(
            "%s: %d of %d requests answered wrongly; seed %d (repeat with -Dflintn.fuzz.seed=%d)",
            what, failures.size(), requests - before, SEED, SEED)
        .isEmpty();
  }

  private static String shown(Probe p) {
    String text = new String(p.request(), StandardCharsets.ISO_8859_1);
    StringBuilder b = new StringBuilder();
    for (char c : excerpt(text, 240).toCharArray()) {
      b.append(c < 0x20 || c > 0x7e ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return "\n      request: " + b;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static byte[] raw(String method, String target, String key, String type, byte[] body) {
    return RawHttp.request(method, target, port, key, type, body);
  }

  private static String createWithRetry(String key, String name, String url) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      AdminFixture.Answer a = f.create(key, name, url, "order.created");
      if (a.status() == 201) {
        return a.body().get("id").asText();
      }
      if (a.status() != 503 || System.nanoTime() > deadline) {
        throw new AssertionError("cannot create " + name + ": " + a.raw().body());
      }
    }
  }

  private static String json(Object value) {
    try {
      return Json.mapper().writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pick(Random rnd, String[] options) {
    return options[rnd.nextInt(options.length)];
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String percentEncodeAll(String s) {
    StringBuilder b = new StringBuilder();
    for (byte c : utf8(s)) {
      b.append(String.format("%%%02X", c & 0xff));
    }
    return b.toString();
  }

  /** Decodes %XX escapes that form ASCII; leaves everything else as it is. */
  private static String percentDecode(String s) {
    java.util.regex.Matcher m = Pattern.compile("%([0-7][0-9A-Fa-f])").matcher(s);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(
          b,
          java.util.regex.Matcher.quoteReplacement(
              String.valueOf((char) Integer.parseInt(m.group(1), 16))));
    }
    return m.appendTail(b).toString();
  }

  private static String excerpt(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "..." : s;
  }
}
