package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An endpoint that answers, but slowly, must not hold back the other accounts that share its
 * partition: its surplus leaves the partition for the overflow lane and is delivered from there,
 * every delivery once, at the endpoint's pace. The same holds in the due lane, which test events
 * and retries take.
 */
@Tag("broker")
class SlowEndpointIsolationTest {

  @Test
  void aSlowButAnsweringEndpointDelaysOnlyItself() throws Exception {
    int slowEvents = 300;
    int fastEvents = 200;
    try (HttpsReceiver receiver = new HttpsReceiver();
        HttpsReceiver other = new HttpsReceiver()) {
      receiver.http1Only();
      receiver.respondWith(
          r ->
              r.path().equals("/slow")
                  ? new MockResponse.Builder()
                      .code(200)
                      .headersDelay(500, TimeUnit.MILLISECONDS)
                      .build()
                  : new MockResponse.Builder().code(200).build());
      Map<ConfigKey, String> small =
          Map.of(
              ConfigKey.DISPATCHER_MAX_IN_FLIGHT_PER_PARTITION, "200",
              ConfigKey.HTTP_MAX_IN_FLIGHT_PER_ENDPOINT, "4",
              ConfigKey.DISPATCHER_MAX_QUEUED_PER_ENDPOINT, "8",
              ConfigKey.DISPATCHER_MAX_HOLD, "2s");
      // One partition: every account shares it, as accounts whose keys hash alike do.
      try (TestEnvironment env =
          TestEnvironment.create("slow-isolation", 1, Optional.of(receiver), small)) {
        env.putEndpoint(
            endpoint("ep_slow", "acc_slow", receiver.url("/slow"), List.of("*"), ACTIVE));
        env.putEndpoint(endpoint("ep_fast", "acc_fast", other.url("/fast"), List.of("*"), ACTIVE));
        try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
          dispatcher.start();
          // The slow account's burst first, then the other account's events behind it. Every
          // other one goes through the due lane, as test events and retries do: the share and
          // the hold apply there the same way.
          for (int i = 0; i < slowEvents; i++) {
            send(env, "acc_slow", "ep_slow", "evt_slow_" + i, i % 2 == 1);
          }
          env.flush();
          // The other account sends steadily, as most accounts do: 50 events a second.
          for (int i = 0; i < fastEvents; i++) {
            send(env, "acc_fast", "ep_fast", "evt_fast_" + i, i % 2 == 1);
            env.flush();
            Thread.sleep(20); // pacing, not a wait: the steady rate is the scenario
          }
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> other.receivedAt("/fast").size() >= fastEvents);
          int slowSoFar = receiver.receivedAt("/slow").size();
          System.out.printf(
              "slow isolation: the other account got all %d events while the slow endpoint had"
                  + " %d of %d%n",
              fastEvents, slowSoFar, slowEvents);
          // 4 requests at a time of 500 ms each: the slow endpoint could not have drained its
          // burst yet, so the other account did not wait behind it.
          assertThat(slowSoFar).isLessThan(slowEvents / 2);

          await()
              .atMost(Duration.ofSeconds(120))
              .until(() -> receiver.receivedAt("/slow").size() >= slowEvents);
          assertThat(receiver.receivedAt("/slow"))
              .extracting(r -> r.header("X-Event-Id"))
              .doesNotHaveDuplicates()
              .hasSize(slowEvents);
          assertThat(receiver.receivedAt("/slow"))
              .extracting(r -> r.header("X-Delivery-Attempt"))
              .containsOnly("1");
          assertThat(env.readAll(env.topics().overflow().name())).isNotEmpty();
          List<AttemptRecord> attempts = env.readValues(env.topics().attempts());
          assertThat(attempts)
              .filteredOn(a -> a.endpointId().value().equals("ep_slow"))
              .extracting(AttemptRecord::outcome)
              .containsOnly(AttemptOutcome.DELIVERED)
              .hasSize(slowEvents);
        }
      }
    }
  }

  private static final EndpointStatus ACTIVE = EndpointStatus.ACTIVE;

  private static void send(
      TestEnvironment env, String account, String endpoint, String eventId, boolean due)
      throws Exception {
    String json = event(eventId, "order.created", account);
    if (due) {
      Event e = Json.mapper().readValue(json, Event.class);
      env.send(
          env.topics().deliveriesDue(), endpoint, Delivery.first(e, EndpointId.of(endpoint), null));
      return;
    }
    env.sendAsync(
        env.topics().events().name(),
        account.getBytes(StandardCharsets.UTF_8),
        json.getBytes(StandardCharsets.UTF_8));
  }
}
