package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static com.flintn.webhooks.admin.HostileRig.AUTH_B;
import static com.flintn.webhooks.admin.HostileRig.WRITE_TIMEOUT;
import static com.flintn.webhooks.admin.HostileRig.latin1;
import static com.flintn.webhooks.admin.HostileRig.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.admin.HostileRig.Expect;
import com.flintn.webhooks.admin.HostileRig.Probe;
import com.flintn.webhooks.admin.HostileRig.Probes;
import com.flintn.webhooks.admin.RawHttp.Reply;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CR/LF and NUL in request lines, header values, JSON fields and query parameters: no response
 * header is ever split or injected, and invalid values are a 4xx in the error format.
 *
 * <p>Each test has its own admin server and accounts ({@link HostileRig}); the seed is random and
 * printed with every failure, {@code -Dflintn.fuzz.seed=N} repeats a run.
 */
@Tag("broker")
class HostileCrLfTest extends HostileTestBase {
  HostileCrLfTest() {
    super("hostile-crlf");
  }

  @Test
  void crLfNeverSplitsOrInjectsAResponseHeader() throws Exception {
    Probes probes = rig.probes("crlf", "CR/LF injection");
    Map<String, byte[]> wire = new LinkedHashMap<>();
    String[] injections = {
      "\r\nX-Injected: yes", "\nX-Injected: yes", "\rX-Injected: yes", "\r\n\r\nHTTP/1.1 200 OK\r\n"
    };
    for (String inj : injections) {
      String shown = inj.replace("\r", "\\r").replace("\n", "\\n");
      wire.put(
          "CR/LF in the request line: " + shown,
          latin1(rig.asB("GET /v1/webhooks?x=1" + inj + " HTTP/1.1", "\r\n\r\n")));
      wire.put(
          "CR/LF in a header value: " + shown,
          latin1(
              "GET /v1/webhooks HTTP/1.1\r\n"
                  + rig.host
                  + "\r\nX-Note: a"
                  + inj
                  + "\r\n"
                  + AUTH_B
                  + "\r\nConnection: close\r\n\r\n"));
      wire.put(
          "CR/LF in the bearer key: " + shown,
          latin1(
              "GET /v1/webhooks HTTP/1.1\r\n"
                  + rig.host
                  + "\r\nAuthorization: Bearer x"
                  + inj
                  + "\r\nConnection: close\r\n\r\n"));
      wire.put(
          "CR/LF in Content-Type: " + shown,
          latin1(
              rig.asB(
                  "POST /v1/webhooks HTTP/1.1",
                  "\r\nContent-Type: application/json"
                      + inj
                      + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")));
    }
    wire.put(
        "obs-fold header continuation",
        latin1(
            "GET /v1/webhooks HTTP/1.1\r\n"
                + rig.host
                + "\r\nX-A: 1\r\n X-Injected: yes\r\n"
                + AUTH_B
                + "\r\n\r\n"));
    wire.put(
        "NUL in a header value",
        latin1(
            "GET /v1/webhooks HTTP/1.1\r\n"
                + rig.host
                + "\r\nX-A: 1\u0000X-Injected: yes\r\n"
                + AUTH_B
                + "\r\n\r\n"));
    for (Map.Entry<String, byte[]> c : wire.entrySet()) {
      probes.send(c.getKey(), c.getValue(), Expect.ANY);
    }
    // CR/LF in JSON: names, URLs, event types, dead-letter filters; and in query parameters.
    String[] jsonInjections = {
      "\\r\\nX-Injected: yes",
      "\\nSet-Cookie: a=b",
      "\\r\\n\\r\\nHTTP/1.1 200 OK",
      "\\u000d\\u000aX-Injected: yes"
    };
    String url = rig.f.receiver.url("/bravo-crlf");
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
        probes.send(
            "create with " + body,
            rig.raw("POST", "/v1/webhooks", KEY_B, "application/json", utf8(body)),
            Expect.INVALID);
      }
      probes.send(
          "patch name with " + inj,
          rig.raw(
              "PATCH",
              "/v1/webhooks/" + rig.b1,
              KEY_B,
              "application/json",
              utf8("{\"name\":\"B" + inj + "\"}")),
          Expect.INVALID);
      probes.send(
          "replay event_type with " + inj,
          rig.raw(
              "POST",
              "/v1/webhooks/" + rig.b4 + "/dead-letters/replay",
              KEY_B,
              "application/json",
              utf8("{\"dry_run\":true,\"event_type\":\"a" + inj + "\"}")),
          Expect.INVALID);
    }
    for (String query :
        List.of(
            "/attempts?limit=1%0d%0aX-Injected:%20yes",
            "/attempts?limit=%0d%0a",
            "/dead-letters?event_type=a%0d%0aX-Injected:%20yes",
            "/dead-letters?reason=%0d%0aSet-Cookie:%20a=b",
            "/dead-letters?since=1h%0d%0aX-Injected:%20yes",
            "/dead-letters?limit=5%0aX-Injected:%20yes")) {
      probes.send(
          "query " + query,
          rig.raw("GET", "/v1/webhooks/" + rig.b4 + query, KEY_B, null, null),
          Expect.INVALID);
    }
    // A valid create: the one header built from the request's outcome is exactly the new path.
    Reply created =
        probes.send(
            new Probe(
                "valid create",
                rig.raw(
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
                WRITE_TIMEOUT));
    if (created != null && created.status() == 201) {
      assertThat(created.header("Location")).matches("/v1/webhooks/ep_[A-Za-z0-9]{24}");
    }
    probes.report();
    rig.accountAIsUntouchedAndTheServerServesNormalRequests();
  }
}
