package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.admin.AdminFixture.Answer;
import com.flintn.webhooks.testkit.HttpsReceiver.Received;
import com.flintn.webhooks.testkit.IndependentVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The admin API of docs/design.md §10 end to end: lifecycle, read-your-writes and test events. */
@Tag("broker")
class AdminApiTest extends SharedAdminFixture {
  @Test
  void aRateLimitIsSetOnCreateChangedAndRemovedByPatchAndShownOnRead() throws Exception {
    String url = f.receiver.url("/rate");
    Answer created =
        f.call(
            "POST",
            "/v1/webhooks",
            KEY_A,
            "{\"name\":\"Paced\",\"url\":\""
                + url
                + "\",\"event_types\":[\"*\"],\"rate_limit\":5}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().get("rate_limit").asInt()).isEqualTo(5);
    String path = "/v1/webhooks/" + created.body().get("id").asText();
    assertThat(f.call("GET", path, KEY_A, null).body().get("rate_limit").asInt()).isEqualTo(5);

    // a PATCH of something else keeps it
    Answer renamed = f.call("PATCH", path, KEY_A, "{\"name\":\"Paced orders\"}");
    assertThat(renamed.body().get("rate_limit").asInt()).isEqualTo(5);
    Answer faster = f.call("PATCH", path, KEY_A, "{\"rate_limit\":250}");
    assertThat(faster.status()).isEqualTo(200);
    assertThat(f.call("GET", path, KEY_A, null).body().get("rate_limit").asInt()).isEqualTo(250);

    for (String bad : List.of("0", "10001", "2.5", "\"5\"", "-1", "99999999999")) {
      Answer refused = f.call("PATCH", path, KEY_A, "{\"rate_limit\":" + bad + "}");
      assertThat(refused.status()).as(bad).isEqualTo(422);
      assertThat(refused.errorMessage())
          .isEqualTo(
              "rate_limit must be a whole number of events per second from 1 to 10000, or null"
                  + " for no limit");
    }
    assertThat(f.call("GET", path, KEY_A, null).body().get("rate_limit").asInt()).isEqualTo(250);

    Answer unlimited = f.call("PATCH", path, KEY_A, "{\"rate_limit\":null}");
    assertThat(unlimited.status()).isEqualTo(200);
    assertThat(unlimited.body().get("rate_limit").isNull()).isTrue();
    assertThat(f.call("GET", path, KEY_A, null).body().get("rate_limit").isNull()).isTrue();

    Answer plain = f.create(KEY_A, "Unpaced", url, "order.created");
    assertThat(plain.body().get("rate_limit").isNull()).as("none unless set").isTrue();
  }

  @Test
  void wholeLifecycleReadsItsOwnWrites() throws Exception {
    String url = f.receiver.url("/life");
    Answer created = f.create(KEY_A, "Production Orders", url, "order.created", "order.paid");
    assertThat(created.status()).isEqualTo(201);
    JsonNode ep = created.body();
    String id = ep.get("id").asText();
    assertThat(id).startsWith("ep_");
    assertThat(created.header("Location")).isEqualTo("/v1/webhooks/" + id);
    assertThat(ep.get("secret").asText()).startsWith("whsec_");
    assertThat(ep.get("account_id").asText()).isEqualTo("acc_a");
    assertThat(ep.get("name").asText()).isEqualTo("Production Orders");
    assertThat(ep.get("url").asText()).isEqualTo(url);
    assertThat(ep.get("status").asText()).isEqualTo("active");
    assertThat(ep.get("event_types").toString()).isEqualTo("[\"order.created\",\"order.paid\"]");
    assertThat(Instant.parse(ep.get("created_at").asText())).isNotNull();

    // read-your-writes: the GET right after the POST sees it, without waiting
    Answer got = f.call("GET", "/v1/webhooks/" + id, KEY_A, null);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.body().has("secret")).as("no secret outside create and rotate").isFalse();
    assertThat(got.body().get("name").asText()).isEqualTo("Production Orders");
    assertThat(ids(f.call("GET", "/v1/webhooks", KEY_A, null))).contains(id);

    Answer patched =
        f.call(
            "PATCH", "/v1/webhooks/" + id, KEY_A, "{\"name\":\"Orders\",\"event_types\":[\"*\"]}");
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.body().get("name").asText()).isEqualTo("Orders");
    JsonNode afterPatch = f.call("GET", "/v1/webhooks/" + id, KEY_A, null).body();
    assertThat(afterPatch.get("name").asText()).isEqualTo("Orders");
    assertThat(afterPatch.get("event_types").toString()).isEqualTo("[\"*\"]");
    assertThat(afterPatch.get("url").asText()).isEqualTo(url);

    assertThat(statusAfter(id, "disable")).isEqualTo("disabled");
    assertThat(
            f.call("GET", "/v1/webhooks/" + id, KEY_A, null).body().get("disabled_reason").asText())
        .isEqualTo("requested");
    assertThat(statusAfter(id, "disable")).as("repeating is harmless").isEqualTo("disabled");
    Answer testWhileDisabled = f.call("POST", "/v1/webhooks/" + id + "/test", KEY_A, null);
    assertThat(testWhileDisabled.status()).isEqualTo(409);
    assertThat(testWhileDisabled.errorMessage()).contains("reactivate");
    assertThat(statusAfter(id, "reactivate")).isEqualTo("active");

    Answer rotated = f.call("POST", "/v1/webhooks/" + id + "/rotate-secret", KEY_A, null);
    assertThat(rotated.status()).isEqualTo(200);
    String newSecret = rotated.body().get("secret").asText();
    String oldSecret = ep.get("secret").asText();
    assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
    assertThat(rotated.body().has("previous_secret_expires_at")).isTrue();

    Answer test = f.call("POST", "/v1/webhooks/" + id + "/test", KEY_A, null);
    assertThat(test.status()).isEqualTo(202);
    String eventId = test.body().get("event_id").asText();
    assertThat(test.body().get("event_type").asText()).isEqualTo("webhook.test");
    await().atMost(Duration.ofSeconds(30)).until(() -> f.receiver.receivedAt("/life").size() == 1);
    Received r = f.receiver.receivedAt("/life").get(0);
    assertThat(r.header("X-Event-Type")).isEqualTo("webhook.test");
    assertThat(r.header("X-Event-Id")).isEqualTo(eventId);
    assertThat(r.header("X-Webhook-Id")).isEqualTo(id);
    assertThat(r.header("X-Signature-Primary"))
        .isEqualTo(IndependentVerifier.expectedPrimary(newSecret, r.body()));
    assertThat(r.header("X-Signature-Secondary"))
        .isEqualTo(IndependentVerifier.expectedPrimary(oldSecret, r.body()));
    assertThat(r.bodyText())
        .contains("\"event_type\":\"webhook.test\"", "\"account_id\":\"acc_a\"");

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode rows = f.call("GET", "/v1/webhooks/" + id + "/attempts", KEY_A, null).body();
              assertThat(rows.get("data")).hasSize(1);
              JsonNode row = rows.get("data").get(0);
              assertThat(row.get("status").asInt()).isEqualTo(200);
              assertThat(row.get("outcome").asText()).isEqualTo("delivered");
              assertThat(row.get("event_id").asText()).isEqualTo(eventId);
              assertThat(row.get("event_type").asText()).isEqualTo("webhook.test");
              assertThat(row.get("attempt").asInt()).isEqualTo(1);
              assertThat(row.has("duration_ms")).isTrue();
              assertThat(row.has("started_at")).isTrue();
            });

    assertThat(statusAfter(id, "revoke")).isEqualTo("revoked");
    Answer reactivate = f.call("POST", "/v1/webhooks/" + id + "/reactivate", KEY_A, null);
    assertThat(reactivate.status()).isEqualTo(409);
    assertThat(reactivate.errorCode()).isEqualTo("conflict");
    assertThat(reactivate.errorMessage()).contains("revoked is final");
    Answer patchRevoked = f.call("PATCH", "/v1/webhooks/" + id, KEY_A, "{\"name\":\"again\"}");
    assertThat(patchRevoked.status()).isEqualTo(409);
    assertThat(f.call("GET", "/v1/webhooks/" + id, KEY_A, null).body().get("status").asText())
        .isEqualTo("revoked");
  }

  @Test
  void testEventsGoToThatEndpointAlone() throws Exception {
    String one = f.create(KEY_A, "One", f.receiver.url("/one"), "*").body().get("id").asText();
    f.create(KEY_A, "Two", f.receiver.url("/two"), "*");
    assertThat(f.call("POST", "/v1/webhooks/" + one + "/test", KEY_A, null).status())
        .isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> f.receiver.receivedAt("/one").size() == 1);
    // a test event is a delivery to one endpoint, never an event fanned out to the account
    f.call("POST", "/v1/webhooks/" + one + "/test", KEY_A, null);
    await().atMost(Duration.ofSeconds(30)).until(() -> f.receiver.receivedAt("/one").size() == 2);
    assertThat(f.receiver.receivedAt("/two")).isEmpty();
  }

  @Test
  void anotherAccountsEndpointIsNotFoundNotForbidden() throws Exception {
    String id = f.create(KEY_A, "Mine", f.receiver.url("/mine"), "*").body().get("id").asText();
    Answer missing = f.call("GET", "/v1/webhooks/ep_doesnotexist", KEY_B, null);
    Answer foreign = f.call("GET", "/v1/webhooks/" + id, KEY_B, null);
    assertThat(foreign.status()).isEqualTo(404).isEqualTo(missing.status());
    assertThat(foreign.errorCode()).isEqualTo("not_found");
    assertThat(foreign.raw().body()).doesNotContain("acc_a", "Mine");
    for (String action : List.of("disable", "reactivate", "revoke", "rotate-secret", "test")) {
      assertThat(f.call("POST", "/v1/webhooks/" + id + "/" + action, KEY_B, null).status())
          .as(action)
          .isEqualTo(404);
    }
    assertThat(f.call("GET", "/v1/webhooks/" + id + "/attempts", KEY_B, null).status())
        .isEqualTo(404);
    assertThat(f.call("PATCH", "/v1/webhooks/" + id, KEY_B, "{\"name\":\"x\"}").status())
        .isEqualTo(404);
    assertThat(ids(f.call("GET", "/v1/webhooks", KEY_B, null))).doesNotContain(id);
    assertThat(f.call("GET", "/v1/webhooks/" + id, KEY_A, null).body().get("status").asText())
        .as("untouched by the other account")
        .isEqualTo("active");
  }

  @Test
  void deadLettersCanBeListedAndReplayedOnceAfterTheEndpointIsFixed() throws Exception {
    AtomicInteger status = f.answerUnder("/dead", 400);
    String id = f.create(KEY_A, "Dead", f.receiver.url("/dead"), "*").body().get("id").asText();
    String path = "/v1/webhooks/" + id + "/dead-letters";
    f.call("POST", "/v1/webhooks/" + id + "/test", KEY_A, null);
    f.call("POST", "/v1/webhooks/" + id + "/test", KEY_A, null);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> f.call("GET", path, KEY_A, null).body().get("count").asInt() == 2);
    JsonNode listed = f.call("GET", path, KEY_A, null).body();
    assertThat(listed.get("data")).hasSize(2);
    JsonNode first = listed.get("data").get(0);
    assertThat(first.get("reason").asText()).isEqualTo("client_error");
    assertThat(first.get("last_status").asText()).isEqualTo("400");
    assertThat(first.get("event_type").asText()).isEqualTo("webhook.test");
    assertThat(first.get("replayed").asBoolean()).isFalse();
    assertThat(f.call("GET", path, KEY_B, null).status()).as("another account").isEqualTo(404);
    assertThat(
            f.call("GET", path + "?reason=attempts_exhausted", KEY_A, null)
                .body()
                .get("count")
                .asInt())
        .isZero();
    assertThat(f.call("GET", path + "?since=yesterday", KEY_A, null).status()).isEqualTo(400);
    assertThat(f.call("GET", path + "?since=1969-12-31", KEY_A, null).status()).isEqualTo(400);
    assertThat(f.call("POST", path + "/replay", KEY_A, "{\"reason\":\"slow\"}").status())
        .as("a bad field of the body")
        .isEqualTo(422);

    JsonNode dry = f.call("POST", path + "/replay", KEY_A, "{\"dry_run\":true}").body();
    assertThat(dry.get("selected").asInt()).isEqualTo(2);
    assertThat(dry.get("replayed").asInt()).isEqualTo(2);
    assertThat(f.call("POST", path + "/replay", KEY_A, "{\"dry_run\":\"yes\"}").status())
        .isEqualTo(422);
    assertThat(f.call("POST", path + "/replay", KEY_A, "{\"colour\":1}").status()).isEqualTo(422);

    assertThat(statusAfter(id, "disable")).isEqualTo("disabled");
    Answer refused = f.call("POST", path + "/replay", KEY_A, "{}");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.errorMessage()).contains("reactivate");
    assertThat(statusAfter(id, "reactivate")).isEqualTo("active");

    status.set(200);
    int before = f.receiver.receivedAt("/dead").size();
    JsonNode replayed = f.call("POST", path + "/replay", KEY_A, "{}").body();
    assertThat(replayed.get("replayed").asInt()).isEqualTo(2);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> f.receiver.receivedAt("/dead").size() == before + 2);
    JsonNode again = f.call("POST", path + "/replay", KEY_A, "{}").body();
    assertThat(again.get("replayed").asInt()).isZero();
    assertThat(again.get("skipped_already_replayed").asInt()).isEqualTo(2);
    assertThat(f.call("GET", path, KEY_A, null).body().get("data").findValuesAsText("replayed"))
        .containsExactly("true", "true");
  }

  @Test
  @SuppressWarnings("try") // the two held reads are only held, never used
  void deadLettersArePagedWithACursorAndEachAccountHasItsOwnReadSlots() throws Exception {
    f.receiver.respondWith(
        r ->
            new mockwebserver3.MockResponse.Builder()
                .code(r.path().startsWith("/paged") ? 400 : 200)
                .build());
    String id = f.create(KEY_A, "Paged", f.receiver.url("/paged"), "*").body().get("id").asText();
    String path = "/v1/webhooks/" + id + "/dead-letters";
    for (int i = 0; i < 3; i++) {
      f.call("POST", "/v1/webhooks/" + id + "/test", KEY_A, null);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> f.call("GET", path, KEY_A, null).body().get("count").asInt() == 3);
    JsonNode all = f.call("GET", path, KEY_A, null).body();
    assertThat(all.get("next_cursor").isNull()).as("one page holds them all").isTrue();

    List<String> paged = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Answer page =
          f.call(
              "GET", path + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), KEY_A, null);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.body().get("data").size()).isLessThanOrEqualTo(2);
      paged.addAll(page.body().get("data").findValuesAsText("position"));
      cursor =
          page.body().get("next_cursor").isNull() ? null : page.body().get("next_cursor").asText();
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(pages).isEqualTo(2);
    assertThat(paged)
        .as("every dead letter once, newest first as on one page")
        .containsExactlyElementsOf(all.get("data").findValuesAsText("position"));

    Answer bad = f.call("GET", path + "?cursor=not-a-cursor", KEY_A, null);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorMessage()).contains("cursor");
    assertThat(f.call("GET", path + "?limit=1001", KEY_A, null).status()).isEqualTo(400);
    assertThat(f.call("GET", path + "?limit=1000", KEY_A, null).status()).isEqualTo(200);

    // Account A's reads are all taken, as by two long reads: A waits, B does not.
    String idB = f.create(KEY_B, "PagedB", f.receiver.url("/b"), "*").body().get("id").asText();
    try (AutoCloseable one = f.admin.holdDeadLetterRead(AdminFixture.ACCOUNT_A);
        AutoCloseable two = f.admin.holdDeadLetterRead(AdminFixture.ACCOUNT_A)) {
      Answer busy = f.call("GET", path, KEY_A, null);
      assertThat(busy.status()).isEqualTo(429);
      assertThat(busy.errorCode()).isEqualTo("rate_limited");
      assertThat(busy.errorMessage()).contains("this account already has 2 dead-letter reads");
      assertThat(busy.header("Retry-After")).isEqualTo("1");
      Answer other = f.call("GET", "/v1/webhooks/" + idB + "/dead-letters", KEY_B, null);
      assertThat(other.status()).as("another account is not held up").isEqualTo(200);
    }
    assertThat(f.call("GET", path, KEY_A, null).status()).isEqualTo(200);
  }

  private static String statusAfter(String id, String action) throws Exception {
    Answer a = f.call("POST", "/v1/webhooks/" + id + "/" + action, KEY_A, null);
    assertThat(a.status()).as(action + ": " + a.raw().body()).isEqualTo(200);
    String fromGet = f.call("GET", "/v1/webhooks/" + id, KEY_A, null).body().get("status").asText();
    assertThat(fromGet).isEqualTo(a.body().get("status").asText());
    return fromGet;
  }

  private static List<String> ids(Answer list) {
    assertThat(list.status()).isEqualTo(200);
    return list.body().get("data").findValuesAsText("id");
  }
}
