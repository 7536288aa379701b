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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * The real admin server on the embedded broker for one hostile-input test, with two endpoints of
 * account A and four of account B, and the checks every answer must pass. Every request goes over a
 * bare socket ({@link RawHttp}), so the bytes on the wire are exactly the hostile ones and every
 * response header block is inspected. Each answer must be a 2xx only for valid input and otherwise
 * a 4xx in the error format: never a 5xx, never a hang (10 s per request), never a byte of account
 * A's endpoints in an answer to B, never a split or injected response header.
 *
 * <p>Each test makes its own rig (its own topics, apps and accounts' endpoints), so no test depends
 * on what another sent. The seed is random and printed with every failure; {@code
 * -Dflintn.fuzz.seed=N} repeats a run.
 */
final class HostileRig implements AutoCloseable {
  static final long SEED = Long.getLong("flintn.fuzz.seed", System.nanoTime());
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A valid write may wait for the endpoint-state app up to its own 10 s bound before a 503. */
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(20);

  private static final Pattern ERROR_CODE = Pattern.compile("[a-z_]{3,40}");
  private static final Pattern HEADER_LINE =
      Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\\t\\x20-\\x7e]*");

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

  /** Account B's bearer key as a request header line. */
  static final String AUTH_B = "Authorization: Bearer " + KEY_B;

  final AdminFixture f;
  final int port;

  /** The Host header line of a request to this server. */
  final String host;

  /** Account A's endpoints, and every string of theirs that must never reach account B. */
  final String a1;

  final String a2;
  private final List<String> aSecrets = new ArrayList<>();
  private final Map<String, JsonNode> aBefore = new LinkedHashMap<>();

  /** Account B's endpoints: b1 is patched, b2 disabled and reactivated, b3 revoked, b4 tested. */
  final String b1;

  final String b2;
  final String b3;
  final String b4;

  private final String name;
  private int requests;
  private final Map<String, Integer> counts = new LinkedHashMap<>();
  private final Map<Integer, Integer> statuses = new TreeMap<>();

  HostileRig(String name) throws Exception {
    this.name = name;
    // Valid fuzzed bodies on /test send test events by the dozen; their rate limit has its own
    // test (AccountLimitsTest), so it is lifted here to keep every valid body a 202.
    f = new AdminFixture(name, Map.of(ConfigKey.ADMIN_TEST_EVENTS_PER_MINUTE, "10000"));
    port = f.admin.port();
    host = "Host: 127.0.0.1:" + port;
    // The first write can wait for the endpoint-state app to settle; later ones are quick.
    a1 = createWithRetry(KEY_A, "Alpha Payroll Secret Qx7", f.receiver.url("/alpha-secret-q7x"));
    a2 = createWithRetry(KEY_A, "Alpha Ledger Hidden Zk3", f.receiver.url("/alpha-hidden-z3k"));
    b1 = createWithRetry(KEY_B, "Bravo patched", f.receiver.url("/bravo-1"));
    b2 = createWithRetry(KEY_B, "Bravo toggled", f.receiver.url("/bravo-2"));
    b3 = createWithRetry(KEY_B, "Bravo revoked", f.receiver.url("/bravo-3"));
    b4 = createWithRetry(KEY_B, "Bravo tested", f.receiver.url("/bravo-4"));
    for (String id : List.of(a1, a2)) {
      JsonNode e = f.call("GET", "/v1/webhooks/" + id, KEY_A, null).body();
      aBefore.put(id, e);
      aSecrets.add(id);
      aSecrets.add(e.get("name").asText());
      aSecrets.add(e.get("url").asText());
      aSecrets.add(e.get("url").asText().replaceAll(".*/", "/")); // the path alone
    }
    aSecrets.add("acc_a");
    System.out.println(name + ": seed " + SEED);
  }

  /** How many probes were sent so far. */
  int requests() {
    return requests;
  }

  /** The server still answers /health and a normal read of account A. */
  void assertServerIsHealthy() throws Exception {
    Reply health = RawHttp.send(port, raw("GET", "/health", null, null, null), TIMEOUT);
    assertThat(health.status()).as(health.bodyText()).isEqualTo(200);
    assertThat(Json.mapper().readTree(health.body()).get("status").asText()).isEqualTo("up");
    Reply list = RawHttp.send(port, raw("GET", "/v1/webhooks", KEY_A, null, null), TIMEOUT);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.bodyText()).contains(a1, a2);
  }

  /**
   * After all of B's requests, account A's endpoints are exactly as they were, and B can still
   * create an endpoint and have a test event delivered to it.
   */
  void accountAIsUntouchedAndTheServerServesNormalRequests() throws Exception {
    for (Map.Entry<String, JsonNode> e : aBefore.entrySet()) {
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
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !f.receiver.receivedAt("/bravo-after").isEmpty());
  }

  @Override
  public void close() {
    System.out.println(
        name + ": " + requests + " requests in all, " + counts + "; statuses " + statuses);
    f.close();
  }

  /** Sends one probe, checks its answer, and returns it (null if there was none). */
  private Reply probe(Probe p, String group, List<String> failures) {
    requests++;
    counts.merge(group, 1, Integer::sum);
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
    statuses.merge(r.status(), 1, Integer::sum);
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
  private String problem(Probe p, Reply r) {
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
      for (String secret : aSecrets) {
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

  /** The probes of one test, counted under {@code group} and reported as {@code what}. */
  Probes probes(String group, String what) {
    return new Probes(group, what);
  }

  /** One test's probes: each is sent and checked at once, its failures kept for {@link #report}. */
  final class Probes {
    private final String group;
    private final String what;
    private final List<String> failures = new ArrayList<>();
    private final long started = System.nanoTime();
    private final int before = requests;

    private Probes(String group, String what) {
      this.group = group;
      this.what = what;
    }

    /** Sends {@code p}, checks its answer, and returns it (null if there was none). */
    Reply send(Probe p) {
      return probe(p, group, failures);
    }

    /** Sends {@code request} as account B, to be answered within {@link #TIMEOUT} as expected. */
    Reply send(String what, byte[] request, Expect expect) {
      return send(new Probe(what, request, expect, true, TIMEOUT));
    }

    /** Records a failure that the test found itself, beyond the checks of every answer. */
    void fail(String failure) {
      failures.add(failure);
    }

    /** Prints how many requests were sent and fails if any was answered wrongly. */
    void report() {
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
  }

  /**
   * A request as account B sends it on the wire: {@code requestLine}, the Host line, B's bearer
   * key, then {@code rest} (further header lines, the blank line, any body).
   */
  String asB(String requestLine, String rest) {
    return requestLine + "\r\n" + host + "\r\n" + AUTH_B + rest;
  }

  private static String shown(Probe p) {
    String text = new String(p.request(), StandardCharsets.ISO_8859_1);
    StringBuilder b = new StringBuilder();
    for (char c : excerpt(text, 240).toCharArray()) {
      b.append(c < 0x20 || c > 0x7e ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return "\n      request: " + b;
  }

  byte[] raw(String method, String target, String key, String type, byte[] body) {
    return RawHttp.request(method, target, port, key, type, body);
  }

  private String createWithRetry(String key, String name, String url) throws Exception {
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

  static String json(Object value) {
    try {
      return Json.mapper().writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pick(Random rnd, String[] options) {
    return options[rnd.nextInt(options.length)];
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  static int indexOf(byte[] hay, byte[] needle) {
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

  static String percentEncodeAll(String s) {
    StringBuilder b = new StringBuilder();
    for (byte c : utf8(s)) {
      b.append(String.format("%%%02X", c & 0xff));
    }
    return b.toString();
  }

  /** Decodes %XX escapes that form ASCII; leaves everything else as it is. */
  private static String percentDecode(String s) {
    Matcher m = Pattern.compile("%([0-7][0-9A-Fa-f])").matcher(s);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(
          b, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 16))));
    }
    return m.appendTail(b).toString();
  }

  private static String excerpt(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "..." : s;
  }
}
