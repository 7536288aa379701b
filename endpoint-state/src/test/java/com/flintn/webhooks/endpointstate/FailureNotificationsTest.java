package com.flintn.webhooks.endpointstate;

import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.common.event.OperationalEvents;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointChange.Type;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.IndependentVerifier;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Operational webhooks end to end on the real broker (docs/design.md §4.1): an endpoint that keeps
 * failing warns the account at 60% and 80% of the disable rule and is then disabled, and each of
 * the three is one signed webhook at the endpoint the account named for them, never at the failing
 * endpoint itself nor at one subscribed to {@code *}.
 */
@Tag("broker")
class FailureNotificationsTest {
  private static final AccountId ACC = AccountId.of("acc_notify");
  private static final EndpointId FAILING = EndpointId.of("ep_failing");
  private static final EndpointId NOTIFY = EndpointId.of("ep_notify");
  private static final EndpointId ALL = EndpointId.of("ep_all");
  private static final Clock CLOCK = Clock.systemUTC();
  private static final List<String> EVENTS = List.of("evt_n1", "evt_n2", "evt_n3");

  @Test
  void aFailingEndpointWarnsTwiceThenIsDisabledEachToldOnceToTheNamedEndpointSigned()
      throws Exception {
    try (HttpsReceiver receiver = new HttpsReceiver();
        TestEnvironment env = TestEnvironment.withFastRetries("notify", receiver)) {
      receiver.respondWith(
          r -> new MockResponse.Builder().code(r.path().equals("/failing") ? 500 : 200).build());
      Secret notifySecret = Secret.generate();
      try (EndpointStateApp state = new EndpointStateApp(env.config());
          DispatcherApp dispatcher = new DispatcherApp(env.config(), CLOCK);
          RetrySchedulerApp scheduler = new RetrySchedulerApp(env.config(), CLOCK)) {
        state.start();
        // The failing endpoint asks for the notices too: it must still never get its own.
        create(
            env,
            FAILING,
            receiver.url("/failing"),
            List.of(
                "order.created",
                OperationalEvents.ENDPOINT_FAILING,
                OperationalEvents.ENDPOINT_DISABLED),
            Secret.generate());
        create(env, NOTIFY, receiver.url("/notify"), OperationalEvents.TYPES, notifySecret);
        create(env, ALL, receiver.url("/all"), List.of("*"), Secret.generate());
        dispatcher.start();
        scheduler.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    List.of(FAILING, NOTIFY, ALL).stream()
                        .allMatch(id -> dispatcher.knownEndpoint(id).isPresent()));

        for (String id : EVENTS) {
          env.send(
              env.topics().events().name(),
              ACC.value().getBytes(StandardCharsets.UTF_8),
              event(id, "order.created", ACC.value()).getBytes(StandardCharsets.UTF_8));
        }
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () -> {
                  Endpoint e = latest(env, FAILING);
                  return e != null && e.status() == EndpointStatus.DISABLED;
                });
        // Every delivery to the failing endpoint has ended, and every notice has been delivered.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  List<AttemptRecord> all = env.readValues(env.topics().attempts());
                  long ended =
                      all.stream()
                          .filter(
                              a ->
                                  a.endpointId().equals(FAILING)
                                      && EVENTS.contains(a.eventId().value())
                                      && a.outcome().isTerminal())
                          .map(AttemptRecord::eventId)
                          .distinct()
                          .count();
                  long notices =
                      all.stream()
                          .filter(
                              a ->
                                  a.endpointId().equals(NOTIFY)
                                      && a.outcome() == AttemptOutcome.DELIVERED)
                          .count();
                  return ended == EVENTS.size() && notices >= 3;
                });

        List<HttpsReceiver.Received> notices = receiver.receivedAt("/notify");
        assertThat(notices)
            .extracting(r -> r.header("X-Event-Type"))
            .containsExactly(
                OperationalEvents.ENDPOINT_FAILING,
                OperationalEvents.ENDPOINT_FAILING,
                OperationalEvents.ENDPOINT_DISABLED);
        for (HttpsReceiver.Received r : notices) {
          assertThat(r.header("X-Signature-Primary"))
              .isEqualTo(IndependentVerifier.expectedPrimary(notifySecret.reveal(), r.body()));
          JsonNode body = Json.mapper().readTree(r.body());
          assertThat(body.get("account_id").asText()).isEqualTo(ACC.value());
          assertThat(body.get("data").get("endpoint_id").asText()).isEqualTo(FAILING.value());
          assertThat(body.get("data").get("last_status").asInt()).isEqualTo(500);
        }
        assertThat(notices)
            .extracting(
                r ->
                    Json.mapper()
                        .readTree(r.body())
                        .get("data")
                        .path("percent_of_threshold")
                        .asInt())
            .containsExactly(60, 80, 0);
        assertThat(notices).extracting(r -> r.header("X-Event-Id")).doesNotHaveDuplicates();

        // Neither the failing endpoint nor a "*" subscriber gets an operational webhook.
        assertThat(receiver.receivedAt("/failing"))
            .isNotEmpty()
            .allSatisfy(r -> assertThat(r.header("X-Event-Type")).isEqualTo("order.created"));
        assertThat(receiver.receivedAt("/all"))
            .hasSize(EVENTS.size())
            .allSatisfy(r -> assertThat(r.header("X-Event-Type")).isEqualTo("order.created"));
      }
    }
  }

  private static void create(
      TestEnvironment env, EndpointId id, String url, List<String> types, Secret secret) {
    EndpointChange c =
        new EndpointChange(
            "chg_" + id.value(),
            Type.CREATE,
            id,
            ACC,
            id.value(),
            url,
            types,
            secret,
            null,
            CLOCK.instant());
    env.send(env.topics().endpointChanges(), id.value(), c);
  }

  private static Endpoint latest(TestEnvironment env, EndpointId id) {
    Endpoint last = null;
    for (Endpoint e : env.readValues(env.topics().endpoints())) {
      if (e != null && e.endpointId().equals(id)) {
        last = e;
      }
    }
    return last;
  }
}
