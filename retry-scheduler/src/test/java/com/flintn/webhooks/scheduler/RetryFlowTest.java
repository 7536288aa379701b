package com.flintn.webhooks.scheduler;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.HttpsReceiver.Received;
import com.flintn.webhooks.testkit.IndependentVerifier;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import mockwebserver3.MockResponse;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The retry policy of the customer page, end to end: dispatcher, tiers, scheduler, receiver. */
@Tag("broker")
class RetryFlowTest {
  private static final List<Duration> TIERS =
      List.of(
          Duration.ofMillis(200),
          Duration.ofMillis(400),
          Duration.ofMillis(800),
          Duration.ofMillis(1600));

  private final HttpsReceiver receiver = new HttpsReceiver();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  @AfterEach
  void closeReceiver() {
    receiver.close();
  }

  /** {@link #run(Map, List, Check)} with the product's defaults. */
  private void run(List<Endpoint> endpoints, Check check) throws Exception {
    run(Map.of(), endpoints, check);
  }

  /** Runs dispatcher and scheduler against a fresh environment, sends one event per endpoint id. */
  private void run(Map<ConfigKey, String> overrides, List<Endpoint> endpoints, Check check)
      throws Exception {
    Map<ConfigKey, String> config = new HashMap<>(overrides);
    config.put(ConfigKey.RETRY_TIERS, "200ms,400ms,800ms,1600ms");
    try (TestEnvironment env = TestEnvironment.create("retry", 2, Optional.of(receiver), config)) {
      endpoints.forEach(env::putEndpoint);
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC());
          RetrySchedulerApp scheduler = new RetrySchedulerApp(env.config(), Clock.systemUTC())) {
        dispatcher.start();
        scheduler.start();
        for (Endpoint e : endpoints) {
          env.send(
              env.topics().events().name(),
              utf8(e.accountId().value()),
              utf8(event("evt_" + e.endpointId().value(), "order.created", e.accountId().value())));
        }
        check.run(env);
      }
    }
  }

  interface Check {
    void run(TestEnvironment env) throws Exception;
  }

  private void respond(BiFunction<String, Integer, MockResponse> byPathAndCall) {
    receiver.respondWith(
        r ->
            byPathAndCall.apply(
                r.path(),
                calls.computeIfAbsent(r.path(), p -> new AtomicInteger()).incrementAndGet()));
  }

  private static MockResponse status(int code) {
    return new MockResponse.Builder().code(code).body("status " + code).build();
  }

  @Test
  void failingFourTimesThenAnswering200MeansExactlyFivePostsAtTheTierGaps() throws Exception {
    respond((path, call) -> status(call <= 4 ? 503 : 200));
    Endpoint e =
        endpoint("ep_flaky", "acc_1", receiver.url("/flaky"), List.of("*"), EndpointStatus.ACTIVE);
    run(
        List.of(e),
        env -> {
          List<AttemptRecord> attempts =
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(
                      () -> env.readValues(env.topics().attempts()),
                      a -> a.stream().anyMatch(x -> x.outcome() == AttemptOutcome.DELIVERED));
          await()
              .during(Duration.ofSeconds(2))
              .atMost(Duration.ofSeconds(5))
              .until(() -> receiver.received().size() == 5);
          List<Received> posts = receiver.received();
          String secret = e.secrets().current().reveal();
          for (int i = 0; i < 5; i++) {
            Received r = posts.get(i);
            assertThat(r.header("X-Delivery-Attempt")).isEqualTo(String.valueOf(i + 1));
            assertThat(r.header("X-Event-Id")).isEqualTo("evt_ep_flaky");
            assertThat(r.header("webhook-id")).isEqualTo("evt_ep_flaky");
            IndependentVerifier.assertSigned(r, secret, "evt_ep_flaky");
            assertThat(r.body()).isEqualTo(posts.getFirst().body());
            if (i > 0) {
              long gap = r.atMillis() - posts.get(i - 1).atMillis();
              System.out.printf(
                  "attempt %d came %d ms after attempt %d (tier %d ms)%n",
                  i + 1, gap, i, TIERS.get(i - 1).toMillis());
              assertThat(gap).isGreaterThanOrEqualTo(TIERS.get(i - 1).toMillis());
            }
          }
          assertThat(attempts)
              .extracting(a -> a.attempt() + ":" + a.outcome().wireName() + ":" + a.status())
              .containsExactly(
                  "1:retry_scheduled:503",
                  "2:retry_scheduled:503",
                  "3:retry_scheduled:503",
                  "4:retry_scheduled:503",
                  "5:delivered:200");
          assertThat(env.readAll(env.topics().dlq().name())).isEmpty();
        });
  }

  @Test
  void fiveFailuresDeadLetterWithEveryHeaderAndNothingMoreIsSent() throws Exception {
    respond((path, call) -> status(500));
    Endpoint e =
        endpoint("ep_down", "acc_1", receiver.url("/down"), List.of("*"), EndpointStatus.ACTIVE);
    run(
        List.of(e),
        env -> {
          List<ConsumerRecord<byte[], byte[]>> dlq =
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(() -> env.readAll(env.topics().dlq().name()), l -> !l.isEmpty());
          await()
              .during(Duration.ofSeconds(3))
              .atMost(Duration.ofSeconds(6))
              .until(() -> receiver.received().size() == 5);
          ConsumerRecord<byte[], byte[]> dead = dlq.getFirst();
          assertThat(header(dead, "reason")).isEqualTo("attempts_exhausted");
          assertThat(header(dead, "last-status")).isEqualTo("500");
          assertThat(header(dead, "attempts")).isEqualTo("5");
          assertThat(header(dead, "first-attempt-at")).isNotBlank();
          assertThat(header(dead, "endpoint-id")).isEqualTo("ep_down");
          assertThat(header(dead, "event-id")).isEqualTo("evt_ep_down");
          assertThat(header(dead, "source-topic")).isEqualTo(env.topics().events().name());
          assertThat(header(dead, "source-partition")).isNotBlank();
          assertThat(header(dead, "source-offset")).isEqualTo("0");
          assertThat(new String(dead.value(), StandardCharsets.UTF_8))
              .contains("\"attempt\":5", "\"last_failure\":\"http_500\"");
          assertThat(env.readValues(env.topics().attempts()))
              .extracting(a -> a.outcome())
              .containsExactly(
                  AttemptOutcome.RETRY_SCHEDULED,
                  AttemptOutcome.RETRY_SCHEDULED,
                  AttemptOutcome.RETRY_SCHEDULED,
                  AttemptOutcome.RETRY_SCHEDULED,
                  AttemptOutcome.DEAD_LETTERED);
        });
  }

  @Test
  void clientErrorsAreNotRetriedExcept429WhichWaitsAsLongAsItAsks() throws Exception {
    respond(
        (path, call) ->
            switch (path) {
              case "/bad-request" -> status(400);
              case "/not-found" -> status(404);
              case "/gone" -> status(410);
              default ->
                  call == 1
                      ? new MockResponse.Builder().code(429).addHeader("Retry-After", "1").build()
                      : status(200);
            });
    List<Endpoint> endpoints =
        List.of(
            endpoint(
                "ep_400",
                "acc_1",
                receiver.url("/bad-request"),
                List.of("*"),
                EndpointStatus.ACTIVE),
            endpoint(
                "ep_404", "acc_2", receiver.url("/not-found"), List.of("*"), EndpointStatus.ACTIVE),
            endpoint("ep_410", "acc_3", receiver.url("/gone"), List.of("*"), EndpointStatus.ACTIVE),
            endpoint(
                "ep_429",
                "acc_4",
                receiver.url("/slow-down"),
                List.of("*"),
                EndpointStatus.ACTIVE));
    run(
        endpoints,
        env -> {
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> receiver.receivedAt("/slow-down").size() == 2);
          await()
              .during(Duration.ofSeconds(3))
              .atMost(Duration.ofSeconds(6))
              .until(() -> receiver.received().size() == 5);
          for (String path : List.of("/bad-request", "/not-found", "/gone")) {
            assertThat(receiver.receivedAt(path)).hasSize(1);
          }
          List<ConsumerRecord<byte[], byte[]>> dlq = env.readAll(env.topics().dlq().name());
          assertThat(dlq)
              .extracting(
                  r ->
                      header(r, "endpoint-id")
                          + ":"
                          + header(r, "reason")
                          + ":"
                          + header(r, "last-status"))
              .containsExactlyInAnyOrder(
                  "ep_400:client_error:400", "ep_404:client_error:404", "ep_410:client_error:410");
          List<Received> slow = receiver.receivedAt("/slow-down");
          long gap = slow.get(1).atMillis() - slow.get(0).atMillis();
          System.out.printf("429 with Retry-After: 1 -> next attempt %d ms later%n", gap);
          assertThat(gap).isGreaterThanOrEqualTo(1000);
        });
  }

  @Test
  void anAnswerLaterThanTheTimeoutIsAFailedAttemptAndRetried() throws Exception {
    receiver.respondWith(
        r ->
            calls.computeIfAbsent("slow", p -> new AtomicInteger()).incrementAndGet() == 1
                ? new MockResponse.Builder().code(200).headersDelay(20, TimeUnit.SECONDS).build()
                : status(200));
    Endpoint e =
        endpoint("ep_slow", "acc_1", receiver.url("/slow"), List.of("*"), EndpointStatus.ACTIVE);
    run(
        Map.of(ConfigKey.HTTP_TIMEOUT, "1s"),
        List.of(e),
        env -> {
          List<AttemptRecord> attempts =
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(() -> env.readValues(env.topics().attempts()), a -> a.size() == 2);
          assertThat(attempts.get(0).outcome()).isEqualTo(AttemptOutcome.RETRY_SCHEDULED);
          assertThat(attempts.get(0).error()).isEqualTo("timeout");
          assertThat(attempts.get(0).status()).isNull();
          // Ended by the 1 s timeout, not by the answer 20 s later.
          assertThat(attempts.get(0).durationMs()).isBetween(900L, 15_000L);
          assertThat(attempts.get(1).outcome()).isEqualTo(AttemptOutcome.DELIVERED);
          assertThat(attempts.get(1).attempt()).isEqualTo(2);
        });
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
