package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.admin.AdminFixture.Answer;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.metrics.Health;
import com.flintn.webhooks.testkit.AttemptRecords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/deliveries} on the real broker: deliveries made by the real dispatcher, and
 * attempt records written to the attempts topic, are found by every filter, only by their account,
 * page by page, and again by an admin that starts after they were written.
 */
@Tag("broker")
class DeliverySearchApiTest extends SharedAdminFixture {
  @BeforeAll
  static void answerByPath() {
    f.receiver.respondWith(
        r ->
            new mockwebserver3.MockResponse.Builder()
                .code(r.path().startsWith("/fail") ? 500 : r.path().startsWith("/gone") ? 400 : 200)
                .build());
  }

  @Test
  void deliveriesOfTheDispatcherAreFoundByEachFilterWithTheirAttemptsAndStatus() throws Exception {
    String ok = f.createdId(KEY_A, "Ok", f.receiver.url("/ok"), "order.created", "order.paid");
    String fail = f.createdId(KEY_A, "Fail", f.receiver.url("/fail"), "order.created");
    String gone = f.createdId(KEY_A, "Gone", f.receiver.url("/gone"), "order.paid");
    String other = f.createdId(KEY_B, "Other", f.receiver.url("/other"), "order.created");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                List.of(ok, fail, gone, other).stream()
                    .allMatch(id -> f.dispatcher.knownEndpoint(EndpointId.of(id)).isPresent()));
    event("evt_search_1", "order.created", "acc_a");
    event("evt_search_2", "order.paid", "acc_a");
    event("evt_search_3", "order.created", "acc_b");

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(List.of(count(KEY_A, ""), count(KEY_B, "")))
                    .as(DeliverySearchApiTest::whatWasFound)
                    .containsExactly(4, 1));

    JsonNode one = get(KEY_A, "event_id=evt_search_1").body();
    assertThat(one.get("count").asInt()).isEqualTo(2);
    assertThat(one.at("/index/complete").asBoolean()).isTrue();
    JsonNode failing = byEndpoint(one, fail);
    assertThat(failing.get("status").asText()).isEqualTo("failing");
    assertThat(failing.get("event_type").asText()).isEqualTo("order.created");
    assertThat(failing.get("delivery_id").asText())
        .isEqualTo(Delivery.idFor(EventId.of("evt_search_1"), EndpointId.of(fail)).value());
    JsonNode attempt = failing.get("attempts").get(0);
    assertThat(attempt.get("attempt").asInt()).isEqualTo(1);
    assertThat(attempt.get("status").asInt()).isEqualTo(500);
    assertThat(attempt.get("outcome").asText()).isEqualTo("retry_scheduled");
    assertThat(attempt.has("duration_ms")).isTrue();
    assertThat(byEndpoint(one, ok).get("status").asText()).isEqualTo("delivered");
    assertThat(byEndpoint(one, ok).at("/attempts/0/status").asInt()).isEqualTo(200);

    JsonNode two = get(KEY_A, "event_id=evt_search_2").body();
    assertThat(byEndpoint(two, gone).get("status").asText()).isEqualTo("dead_lettered");
    assertThat(byEndpoint(two, gone).at("/attempts/0/outcome").asText()).isEqualTo("dead_lettered");

    assertThat(pairs(KEY_A, "status=failing")).containsExactly("evt_search_1 " + fail);
    assertThat(pairs(KEY_A, "status=dead_lettered")).containsExactly("evt_search_2 " + gone);
    assertThat(pairs(KEY_A, "status=delivered"))
        .containsExactlyInAnyOrder("evt_search_1 " + ok, "evt_search_2 " + ok);
    assertThat(pairs(KEY_A, "event_type=order.paid"))
        .containsExactlyInAnyOrder("evt_search_2 " + ok, "evt_search_2 " + gone);
    assertThat(pairs(KEY_A, "endpoint_id=" + ok + "&status=delivered&event_type=order.created"))
        .containsExactly("evt_search_1 " + ok);
    assertThat(pairs(KEY_A, "since=" + enc(Instant.now().plusSeconds(3600).toString()))).isEmpty();
    assertThat(pairs(KEY_A, "until=2026-01-01")).isEmpty();
    assertThat(pairs(KEY_A, "since=1h")).hasSize(4);

    // another account's deliveries are not there, whatever the filter
    assertThat(pairs(KEY_B, "event_id=evt_search_1")).isEmpty();
    assertThat(pairs(KEY_B, "endpoint_id=" + ok)).isEmpty();
    assertThat(pairs(KEY_B, "")).containsExactly("evt_search_3 " + other);
    assertThat(pairs(KEY_A, "event_id=evt_search_3")).isEmpty();
  }

  @Test
  void pagesWalkEveryDeliveryOnceNewestFirst() throws Exception {
    AccountId account = AccountId.of("acc_pages");
    Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
    for (int i = 0; i < 25; i++) {
      f.env.send(
          f.env.topics().attempts(),
          "ep_pages",
          record("evt_page_" + i, "ep_pages", account, t0.plusSeconds(i)));
    }
    String key = "test-key-account-pages-0123456789";
    try (AdminApp second =
        new AdminApp(
            f.env.config(), ApiKeys.of(List.of(key), List.of(account)), Clock.systemUTC())) {
      Health health = new Health(new SimpleMeterRegistry());
      second.addHealthChecks(health);
      // this admin starts after the records were written: it finds them in its load
      second.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> second.deliverySearch().progress().complete());
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(health.report().get("admin_delivery_search"))
                      .as("the health check says the index is loaded")
                      .matches(h -> h.healthy() && h.detail().endsWith(" attempts indexed")));
      String base = "http://127.0.0.1:" + second.port() + "/v1/deliveries?limit=10";
      List<String> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        JsonNode page = raw(base + (cursor == null ? "" : "&cursor=" + enc(cursor)), key);
        page.get("data").forEach(d -> seen.add(d.get("event_id").asText()));
        cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        pages++;
      } while (cursor != null && pages < 10);
      assertThat(pages).isEqualTo(3);
      assertThat(seen).hasSize(25).doesNotHaveDuplicates();
      assertThat(seen.getFirst()).isEqualTo("evt_page_24");
      assertThat(seen.getLast()).isEqualTo("evt_page_0");
      assertThat(raw(base + "&cursor=c1.nonsense", key).at("/error/message").asText())
          .startsWith("cursor is not a cursor this API returned");
    }
  }

  // helpers

  private static String whatWasFound() {
    try {
      return "received "
          + f.receiver.received().stream().map(r -> r.path()).toList()
          + "; found "
          + f.call("GET", "/v1/deliveries", KEY_A, null).raw().body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static AttemptRecord record(
      String event, String endpoint, AccountId account, Instant at) {
    return AttemptRecords.of(
        event, "order.created", endpoint, account, 1, at, 12, 200, null, AttemptOutcome.DELIVERED);
  }

  private static void event(String id, String type, String account) {
    String json =
        "{\"event_id\":\""
            + id
            + "\",\"event_type\":\""
            + type
            + "\",\"account_id\":\""
            + account
            + "\",\"created_at\":\"2026-12-01T10:00:00Z\",\"data\":{\"n\":1}}";
    f.env.send(
        f.env.topics().events().name(),
        account.getBytes(StandardCharsets.UTF_8),
        json.getBytes(StandardCharsets.UTF_8));
  }

  private static Answer get(String key, String query) throws Exception {
    Answer a = f.call("GET", "/v1/deliveries?" + query, key, null);
    assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
    return a;
  }

  private static int count(String key, String query) throws Exception {
    Answer a = f.call("GET", "/v1/deliveries?limit=100&" + query, key, null);
    return a.status() == 200 ? a.body().get("count").asInt() : -1;
  }

  /** "event endpoint" of each delivery found, newest first. */
  private static List<String> pairs(String key, String query) throws Exception {
    List<String> out = new ArrayList<>();
    get(key, "limit=100&" + query)
        .body()
        .get("data")
        .forEach(d -> out.add(d.get("event_id").asText() + " " + d.get("endpoint_id").asText()));
    Set<String> unique = new HashSet<>(out);
    assertThat(unique).hasSameSizeAs(out);
    return out;
  }

  private static JsonNode byEndpoint(JsonNode page, String endpoint) {
    for (JsonNode d : page.get("data")) {
      if (d.get("endpoint_id").asText().equals(endpoint)) {
        return d;
      }
    }
    throw new AssertionError("no delivery to " + endpoint + " in " + page);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static JsonNode raw(String url, String key) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + key)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return com.flintn.webhooks.common.json.Json.mapper().readTree(r.body());
  }
}
