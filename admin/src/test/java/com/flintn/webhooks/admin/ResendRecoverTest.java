package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.testkit.HttpsReceiver.Received;
import com.flintn.webhooks.testkit.IndependentVerifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Resend and recover through the API on the real broker, with the real dispatcher sending to a real
 * HTTPS receiver. Account A's endpoint gets 3 events it accepts, 3 it refuses with 410 (dead
 * letters) and, while disabled, 2 it never sees (dropped); then the receiver accepts everything.
 */
@Tag("broker")
class ResendRecoverTest extends SharedAdminFixture {
  private static String id;
  private static String secret;
  private static Instant t0;
  private static final AtomicBoolean REFUSE = new AtomicBoolean(true);

  /** While set, the receiver holds each request until it opens: nothing is recorded meanwhile. */
  private static final AtomicReference<CountDownLatch> HOLD = new AtomicReference<>();

  private static final Set<String> DEAD = Set.of("evt_rr_bad_1", "evt_rr_bad_2", "evt_rr_bad_3");
  private static final Set<String> DROPPED = Set.of("evt_rr_off_1", "evt_rr_off_2");
  private static final Map<String, byte[]> ORIGINAL_BODIES = new HashMap<>();

  @BeforeAll
  static void deliverSomeAndFailSome() throws Exception {
    f.receiver.respondWith(
        r -> {
          CountDownLatch hold = HOLD.get();
          if (hold != null) {
            try {
              hold.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return new mockwebserver3.MockResponse.Builder()
              .code(REFUSE.get() && r.bodyText().contains("evt_rr_bad_") ? 410 : 200)
              .body("")
              .build();
        });
    AdminFixture.Answer created = f.create(KEY_A, "Resend", f.receiver.url("/rr"), "order.created");
    assertThat(created.status()).isEqualTo(201);
    id = created.body().get("id").asText();
    secret = created.body().get("secret").asText();
    t0 = Clock.systemUTC().instant().minusSeconds(1);
    for (String e : List.of("evt_rr_ok_1", "evt_rr_ok_2", "evt_rr_ok_3")) {
      event(e);
    }
    for (String e : DEAD) {
      event(e);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> f.receiver.receivedAt("/rr").size() == 6);
    await().atMost(Duration.ofSeconds(30)).until(() -> outcomes("dead_lettered") == 3);
    for (Received r : f.receiver.receivedAt("/rr")) {
      ORIGINAL_BODIES.put(r.header("X-Event-Id"), r.body());
    }

    assertThat(f.call("POST", "/v1/webhooks/" + id + "/disable", KEY_A, null).status())
        .isEqualTo(200);
    awaitDispatcherSeesActive(false);
    for (String e : DROPPED) {
      event(e);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> outcomes("dropped_endpoint_inactive") == 2);
    assertThat(f.call("POST", "/v1/webhooks/" + id + "/reactivate", KEY_A, null).status())
        .isEqualTo(200);
    awaitDispatcherSeesActive(true);
    REFUSE.set(false);
  }

  @Test
  void resendDeliversTheSameEventAgainSignedWithANewDeliveryId() throws Exception {
    AdminFixture.Answer a = resend(KEY_A, "evt_rr_ok_2");
    assertThat(a.status()).as(a.raw().body()).isEqualTo(202);
    assertThat(a.body().get("event_id").asText()).isEqualTo("evt_rr_ok_2");
    assertThat(a.body().get("delivery_id").asText()).startsWith("dlv_rs_");
    await().atMost(Duration.ofSeconds(60)).until(() -> received("evt_rr_ok_2").size() == 2);
    Received again = received("evt_rr_ok_2").get(1);
    assertThat(again.body()).isEqualTo(ORIGINAL_BODIES.get("evt_rr_ok_2"));
    assertThat(again.header("X-Delivery-Attempt")).isEqualTo("1");
    assertThat(again.header("webhook-id")).isEqualTo("evt_rr_ok_2");
    assertThat(again.header("X-Signature-Primary"))
        .isEqualTo(IndependentVerifier.expectedPrimary(secret, again.body()));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                attempts().stream()
                    .anyMatch(
                        x ->
                            x.get("delivery_id")
                                    .asText()
                                    .equals(a.body().get("delivery_id").asText())
                                && x.get("outcome").asText().equals("delivered")));
  }

  @Test
  void resendOfAnEventNeverSentHereOrOfAnotherAccountIsNotFound() throws Exception {
    AdminFixture.Answer unknown = resend(KEY_A, "evt_rr_never");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorMessage()).contains("evt_rr_never").contains("no attempt");
    AdminFixture.Answer other = resend(KEY_B, "evt_rr_ok_1");
    assertThat(other.status()).isEqualTo(404);
    assertThat(other.errorMessage()).contains("no webhook endpoint");
    AdminFixture.Answer recoverOther =
        f.call("POST", "/v1/webhooks/" + id + "/recover", KEY_B, "{\"since\":\"1h\"}");
    assertThat(recoverOther.status()).isEqualTo(404);
    AdminFixture.Answer noSince =
        f.call("POST", "/v1/webhooks/" + id + "/recover", KEY_A, "{\"dry_run\":true}");
    assertThat(noSince.status()).isEqualTo(422);
    assertThat(noSince.errorMessage()).contains("since is required");
    AdminFixture.Answer badId = f.call("POST", "/v1/webhooks/" + id + "/resend", KEY_A, "{}");
    assertThat(badId.status()).isEqualTo(422);
    assertThat(recover("{\"since\":\"31d\",\"dry_run\":true}").status()).isEqualTo(422);
    AdminFixture.Answer reach = recover("{\"since\":\"30d\",\"dry_run\":true}");
    assertThat(reach.status()).as(reach.raw().body()).isEqualTo(200);
    assertThat(reach.body().get("resent").asInt()).isZero();
  }

  @Test
  void recoverResendsExactlyTheFailedOnesOnceAndADryRunSendsNothing() throws Exception {
    Set<String> failed = new HashSet<>(DEAD);
    failed.addAll(DROPPED);
    String since = "{\"since\":\"" + t0 + "\"";
    int dueBefore = resentOnDue().size();

    AdminFixture.Answer dry = recover(since + ",\"dry_run\":true}");
    assertThat(dry.status()).as(dry.raw().body()).isEqualTo(200);
    assertThat(dry.body().get("failed").asInt()).isEqualTo(5);
    assertThat(dry.body().get("to_resend").asInt()).isEqualTo(5);
    assertThat(dry.body().get("resent").asInt()).isZero();
    Set<String> sampled = new HashSet<>();
    dry.body().get("sample").forEach(s -> sampled.add(s.get("event_id").asText()));
    assertThat(sampled).isEqualTo(failed);
    assertThat(resentOnDue()).as("a dry run writes nothing").hasSize(dueBefore);

    CountDownLatch hold = new CountDownLatch(1);
    HOLD.set(hold); // the resent deliveries stay unanswered, their failures the latest attempts
    AdminFixture.Answer first;
    AdminFixture.Answer second;
    try {
      first = recover(since + "}");
      second = recover(since + "}");
    } finally {
      HOLD.set(null);
      hold.countDown();
    }
    assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
    assertThat(first.body().get("resent").asInt()).isEqualTo(5);
    assertThat(first.body().get("not_found").asInt()).isZero();
    assertThat(first.body().get("complete").asBoolean()).isTrue();
    assertThat(second.status()).as(second.raw().body()).isEqualTo(200);
    assertThat(second.body().get("resent").asInt()).as(second.raw().body()).isZero();
    assertThat(second.body().get("already_recovered").asInt()).isEqualTo(5);

    List<ConsumerRecord<byte[], byte[]>> due = resentOnDue();
    assertThat(due).hasSize(dueBefore + 5);
    for (String e : failed) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> received(e).size() == (DEAD.contains(e) ? 2 : 1));
      Received last = received(e).get(received(e).size() - 1);
      assertThat(last.header("X-Signature-Primary"))
          .isEqualTo(IndependentVerifier.expectedPrimary(secret, last.body()));
      assertThat(last.header("webhook-id")).isEqualTo(e);
      if (DEAD.contains(e)) {
        assertThat(last.body()).isEqualTo(ORIGINAL_BODIES.get(e));
      }
    }
    for (String e : List.of("evt_rr_ok_1", "evt_rr_ok_3")) {
      assertThat(received(e)).as("delivered ones are not recovered").hasSize(1);
    }
    AdminFixture.Answer third = recover(since + "}");
    assertThat(third.body().get("resent").asInt()).isZero();
  }

  @Test
  void twoRecoveriesAtOnceOnTwoAdminInstancesResendEachFailureOnce() throws Exception {
    AdminFixture.Answer created = f.create(KEY_A, "Twice", f.receiver.url("/rc"), "order.paid");
    String ep = created.body().get("id").asText();
    Instant since = Clock.systemUTC().instant().minusSeconds(1);
    int n = 40;
    REFUSE.set(true);
    for (int i = 0; i < n; i++) {
      event("evt_rr_bad_rc_" + i, "order.paid");
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> f.receiver.receivedAt("/rc").size() == n);
    f.awaitGet(
        "/v1/webhooks/" + ep + "/attempts?limit=100",
        KEY_A,
        body -> body.toString().split("dead_lettered", -1).length == n + 1);
    REFUSE.set(false);
    try (AdminApp second =
        new AdminApp(
            f.env.config(),
            ApiKeys.of(List.of(KEY_A), List.of(AdminFixture.ACCOUNT_A)),
            Clock.systemUTC())) {
      second.start();
      String body = "{\"since\":\"" + since + "\"}";
      String path = "/v1/webhooks/" + ep + "/recover";
      List<String> bases = List.of(f.base(), "http://127.0.0.1:" + second.port());
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (String base : bases) {
        calls.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    go.await();
                    return HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                            .header("Authorization", "Bearer " + KEY_A)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      go.countDown();
      for (CompletableFuture<HttpResponse<String>> c : calls) {
        HttpResponse<String> r = c.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 409);
      }
    }
    List<String> resent =
        f.env.readAll(f.env.topics().deliveriesDue().name()).stream()
            .map(r -> new String(r.value(), StandardCharsets.UTF_8))
            .filter(v -> v.contains("\"dlv_rs_") && v.contains("evt_rr_bad_rc_"))
            .toList();
    assertThat(resent).as("each failure resent once, whichever instance sent it").hasSize(n);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> f.receiver.receivedAt("/rc").size() == 2 * n);
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Waits until the dispatcher sees the endpoint as {@code active} (or as not). */
  private static void awaitDispatcherSeesActive(boolean active) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                f.dispatcher
                    .knownEndpoint(EndpointId.of(id))
                    .map(e -> e.isActive() == active)
                    .orElse(false));
  }

  private static AdminFixture.Answer resend(String key, String event) throws Exception {
    return f.call(
        "POST", "/v1/webhooks/" + id + "/resend", key, "{\"event_id\":\"" + event + "\"}");
  }

  private static AdminFixture.Answer recover(String body) throws Exception {
    return f.call("POST", "/v1/webhooks/" + id + "/recover", KEY_A, body);
  }

  private static List<Received> received(String event) {
    return f.receiver.receivedAt("/rr").stream()
        .filter(r -> event.equals(r.header("X-Event-Id")))
        .toList();
  }

  /** Recovered deliveries on the due topic: the ones with a resend's delivery id. */
  private static List<ConsumerRecord<byte[], byte[]>> resentOnDue() {
    return f.env.readAll(f.env.topics().deliveriesDue().name()).stream()
        .filter(r -> r.headers().lastHeader(HeaderNames.REPLAYED_FROM) != null)
        .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"dlv_rs_"))
        .filter(r -> !new String(r.value(), StandardCharsets.UTF_8).contains("evt_rr_ok_"))
        .toList();
  }

  private static List<JsonNode> attempts() throws Exception {
    List<JsonNode> out = new java.util.ArrayList<>();
    f.call("GET", "/v1/webhooks/" + id + "/attempts?limit=100", KEY_A, null)
        .body()
        .get("data")
        .forEach(out::add);
    return out;
  }

  private static long outcomes(String outcome) throws Exception {
    return attempts().stream().filter(a -> a.get("outcome").asText().equals(outcome)).count();
  }

  private static void event(String eventId) {
    event(eventId, "order.created");
  }

  private static void event(String eventId, String type) {
    f.env.send(
        f.env.topics().events().name(),
        "acc_a".getBytes(StandardCharsets.UTF_8),
        ("{\"event_id\":\""
                + eventId
                + "\",\"event_type\":\""
                + type
                + "\",\"account_id\":\"acc_a\","
                + "\"created_at\":\"2026-12-06T08:00:00Z\",\"data\":{\"n\":1}}")
            .getBytes(StandardCharsets.UTF_8));
  }
}
