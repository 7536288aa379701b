package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static com.flintn.webhooks.admin.HostileRig.utf8;

import com.flintn.webhooks.admin.HostileRig.Expect;
import com.flintn.webhooks.admin.HostileRig.Probes;
import com.flintn.webhooks.admin.RawHttp.Reply;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Account B calling every route on account A's endpoint gets exactly the answer a missing endpoint
 * gets: the same status and the same body, so B cannot even learn that the id exists.
 *
 * <p>Each test has its own admin server and accounts ({@link HostileRig}); the seed is random and
 * printed with every failure, {@code -Dflintn.fuzz.seed=N} repeats a run.
 */
@Tag("broker")
class HostileAccountIsolationTest extends HostileTestBase {
  HostileAccountIsolationTest() {
    super("hostile-isolation");
  }

  @Test
  void anotherAccountsEndpointAnswersExactlyLikeAMissingOne() throws Exception {
    Probes probes = rig.probes("isolation", "another account's ids");
    String missing = "ep_" + "Q".repeat(rig.a1.length() - 3);
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
      {"POST", "/dead-letters/replay", "{}"},
      {"POST", "/resend", "{\"event_id\":\"evt_1\"}"},
      {"POST", "/recover", "{\"since\":\"1h\",\"dry_run\":true}"},
      {"POST", "/recover", "{\"since\":\"1h\"}"}
    };
    for (String[] c : calls) {
      byte[] body = c[2] == null ? null : utf8(c[2]);
      String type = body == null ? null : "application/json";
      Reply foreign =
          probes.send(
              c[0] + " account A's endpoint" + c[1],
              rig.raw(c[0], "/v1/webhooks/" + rig.a1 + c[1], KEY_B, type, body),
              Expect.INVALID);
      Reply absent =
          probes.send(
              c[0] + " a missing endpoint" + c[1],
              rig.raw(c[0], "/v1/webhooks/" + missing + c[1], KEY_B, type, body),
              Expect.INVALID);
      if (foreign != null && absent != null) {
        String one = foreign.status() + " " + foreign.bodyText().replace(rig.a1, "{id}");
        String other = absent.status() + " " + absent.bodyText().replace(missing, "{id}");
        if (!one.equals(other)) {
          probes.fail(
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
    probes.report();
    rig.accountAIsUntouchedAndTheServerServesNormalRequests();
  }
}
