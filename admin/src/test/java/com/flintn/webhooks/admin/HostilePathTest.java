package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static com.flintn.webhooks.admin.HostileRig.percentEncodeAll;
import static com.flintn.webhooks.admin.HostileRig.utf8;

import com.flintn.webhooks.admin.HostileRig.Expect;
import com.flintn.webhooks.admin.HostileRig.Probes;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Path tricks (dot segments, encoded slashes, case, parameters, absolute targets) by account B
 * against account A's endpoints: every one is a 4xx in the error format, none reaches A's endpoint,
 * and odd paths are never a 5xx.
 *
 * <p>Each test has its own admin server and accounts ({@link HostileRig}); the seed is random and
 * printed with every failure, {@code -Dflintn.fuzz.seed=N} repeats a run.
 */
@Tag("broker")
class HostilePathTest extends HostileTestBase {
  HostilePathTest() {
    super("hostile-paths");
  }

  @Test
  void pathTricksNeverReachAnotherAccountsEndpoint() throws Exception {
    Probes probes = rig.probes("paths", "path tricks");
    String a = rig.a1;
    String b = rig.b1;
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
            "http://127.0.0.1:" + rig.port + "/v1/webhooks/" + a,
            "http://evil.example/v1/webhooks/" + a);
    for (String target : onA) {
      for (String method : List.of("GET", "PATCH", "POST")) {
        String t = method.equals("POST") ? target + "/disable" : target;
        byte[] body = method.equals("GET") ? null : utf8("{\"name\":\"taken over\"}");
        probes.send(
            method + " " + t,
            rig.raw(method, t, KEY_B, body == null ? null : "application/json", body),
            Expect.INVALID);
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
    // The caller's own endpoint through the same tricks: allowed to succeed, never anyone else's.
    List<String> own =
        List.of(
            "/v1/webhooks/" + b + "/",
            "/v1/webhooks/./" + b,
            "/v1/webhooks/" + b + ";x=y",
            "/v1/webhooks?account_id=acc_a",
            "/v1/webhooks/?account_id=acc_a");
    for (String target : Stream.concat(odd.stream(), own.stream()).toList()) {
      probes.send("GET " + target, rig.raw("GET", target, KEY_B, null, null), Expect.ANY);
    }
    probes.report();
    rig.accountAIsUntouchedAndTheServerServesNormalRequests();
  }
}
