package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.HostileRig.AUTH_B;

import com.flintn.webhooks.admin.HostileRig.Expect;
import com.flintn.webhooks.admin.HostileRig.Probes;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Oversized and malformed HTTP requests sent over a bare socket ({@link RawHttp}): huge headers,
 * paths and keys, broken request lines, framing conflicts, unknown methods. Each is a 4xx in the
 * error format, never a 5xx or a hang.
 *
 * <p>Each test has its own admin server and accounts ({@link HostileRig}); the seed is random and
 * printed with every failure, {@code -Dflintn.fuzz.seed=N} repeats a run.
 */
@Tag("broker")
class HostileMalformedRequestTest extends HostileTestBase {
  HostileMalformedRequestTest() {
    super("hostile-malformed");
  }

  @Test
  void oversizedAndMalformedRequestsAre4xxInTheErrorFormat() throws Exception {
    Probes probes = rig.probes("malformed", "oversized and malformed requests");
    String get = "GET /v1/webhooks HTTP/1.1";
    String post = "POST /v1/webhooks HTTP/1.1";
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put(
        "64 KiB header",
        rig.asB(get, "\r\nX-Pad: " + "x".repeat(64 * 1024) + "\r\nConnection: close\r\n\r\n"));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    cases.put("5,000 headers", rig.asB(get, "\r\n" + many + "\r\n"));
    cases.put(
        "100 KiB bearer key",
        get
            + "\r\n"
            + rig.host
            + "\r\nAuthorization: Bearer "
            + "k".repeat(100 * 1024)
            + "\r\n\r\n");
    cases.put("64 KiB cookie", rig.asB(get, "\r\nCookie: a=" + "c".repeat(64 * 1024) + "\r\n\r\n"));
    cases.put(
        "64 KiB path",
        rig.asB("GET /v1/webhooks/" + "e".repeat(64 * 1024) + " HTTP/1.1", "\r\n\r\n"));
    cases.put(
        "64 KiB query",
        rig.asB("GET /v1/webhooks?" + "a=1&".repeat(16 * 1024) + " HTTP/1.1", "\r\n\r\n"));
    cases.put(
        "10,000-letter method",
        "G".repeat(10_000) + " /v1/webhooks HTTP/1.1\r\n" + rig.host + "\r\n\r\n");
    cases.put("lower-case method", rig.asB("get /v1/webhooks HTTP/1.1", "\r\n\r\n"));
    cases.put("HTTP/0.9", "GET /v1/webhooks\r\n\r\n");
    cases.put(
        "HTTP/2.0 on HTTP/1 framing", "GET /v1/webhooks HTTP/2.0\r\n" + rig.host + "\r\n\r\n");
    cases.put("HTTP/1.7", "GET /v1/webhooks HTTP/1.7\r\n" + rig.host + "\r\n\r\n");
    cases.put("no version, garbage", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\r\n\r\n");
    cases.put("no host", get + "\r\n" + AUTH_B + "\r\n\r\n");
    cases.put("two hosts", get + "\r\nHost: a\r\nHost: b\r\n" + AUTH_B + "\r\n\r\n");
    cases.put("header without a colon", get + "\r\n" + rig.host + "\r\nNoColon\r\n\r\n");
    cases.put("space in a header name", get + "\r\n" + rig.host + "\r\nX Bad: 1\r\n\r\n");
    cases.put("empty header name", get + "\r\n" + rig.host + "\r\n: x\r\n\r\n");
    cases.put(
        "Content-Length and Transfer-Encoding",
        rig.asB(post, "\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    cases.put("unknown transfer coding", rig.asB(post, "\r\nTransfer-Encoding: gzip\r\n\r\nxxxx"));
    cases.put(
        "bad chunk size",
        rig.asB(post, "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"));
    cases.put("negative Content-Length", rig.asB(post, "\r\nContent-Length: -1\r\n\r\n"));
    cases.put(
        "20-digit Content-Length",
        rig.asB(post, "\r\nContent-Length: 99999999999999999999\r\n\r\n"));
    cases.put(
        "two different Content-Lengths",
        rig.asB(post, "\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x"));
    cases.put(
        "body shorter than its Content-Length",
        rig.asB(post, "\r\nContent-Length: 100\r\n\r\n{\"name\":1}"));
    cases.put(
        "10 MiB Content-Length declared", rig.asB(post, "\r\nContent-Length: 10485760\r\n\r\n{"));
    cases.put("CONNECT", "CONNECT 127.0.0.1:22 HTTP/1.1\r\n" + rig.host + "\r\n\r\n");
    cases.put("OPTIONS *", "OPTIONS * HTTP/1.1\r\n" + rig.host + "\r\n\r\n");
    cases.put("TRACE", rig.asB("TRACE /v1/webhooks HTTP/1.1", "\r\n\r\n"));
    cases.put("unknown method", rig.asB("BREW /v1/webhooks HTTP/1.1", "\r\n\r\n"));
    cases.put(
        "PUT a collection",
        rig.asB("PUT /v1/webhooks HTTP/1.1", "\r\nContent-Length: 2\r\n\r\n{}"));
    cases.put(
        "DELETE an endpoint", rig.asB("DELETE /v1/webhooks/" + rig.b1 + " HTTP/1.1", "\r\n\r\n"));
    cases.put(
        "non-ASCII in the path", rig.asB("GET /v1/webhooks/\u00e9\u00ff HTTP/1.1", "\r\n\r\n"));
    cases.put("space in the path", rig.asB("GET /v1/web hooks HTTP/1.1", "\r\n\r\n"));
    cases.put(
        "Basic instead of Bearer",
        get + "\r\n" + rig.host + "\r\nAuthorization: Basic YTpi\r\n\r\n");
    cases.put(
        "non-ASCII key",
        get + "\r\n" + rig.host + "\r\nAuthorization: Bearer \u00ff\u00fe\r\n\r\n");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      probes.send(c.getKey(), c.getValue().getBytes(StandardCharsets.ISO_8859_1), Expect.INVALID);
    }
    probes.report();
    rig.accountAIsUntouchedAndTheServerServesNormalRequests();
  }
}
