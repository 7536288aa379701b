package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.EndpointStatus;
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

/** One endpoint that stops answering must not hold back another endpoint of the same account. */
@Tag("broker")
class EndpointIsolationTest {

  @Test
  void whileOneEndpointHangsAnotherOfTheSameAccountReceivesAllItsEvents() throws Exception {
    int events = 300;
    try (HttpsReceiver receiver = new HttpsReceiver()) {
      receiver.respondWith(
          r ->
              r.path().equals("/hangs")
                  ? new MockResponse.Builder().code(200).headersDelay(60, TimeUnit.SECONDS).build()
                  : new MockResponse.Builder().code(200).build());
      Map<ConfigKey, String> small =
          Map.of(
              ConfigKey.HTTP_TIMEOUT, "3s",
              ConfigKey.DISPATCHER_MAX_IN_FLIGHT_PER_PARTITION, "40",
              ConfigKey.HTTP_MAX_IN_FLIGHT_PER_ENDPOINT, "4",
              ConfigKey.DISPATCHER_MAX_QUEUED_PER_ENDPOINT, "8");
      try (TestEnvironment env =
          TestEnvironment.create("isolation", 1, Optional.of(receiver), small)) {
        env.putEndpoint(
            endpoint(
                "ep_hangs", "acc_1", receiver.url("/hangs"), List.of("*"), EndpointStatus.ACTIVE));
        env.putEndpoint(
            endpoint(
                "ep_healthy",
                "acc_1",
                receiver.url("/healthy"),
                List.of("*"),
                EndpointStatus.ACTIVE));
        try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
          dispatcher.start();
          long start = System.nanoTime();
          for (int i = 0; i < events; i++) {
            env.sendAsync(
                env.topics().events().name(),
                "acc_1".getBytes(StandardCharsets.UTF_8),
                event("evt_iso_" + i, "order.created", "acc_1").getBytes(StandardCharsets.UTF_8));
          }
          env.flush();
          await()
              .atMost(Duration.ofSeconds(90))
              .until(() -> receiver.receivedAt("/healthy").size() >= events);
          System.out.printf(
              "isolation: healthy endpoint got %d events in %d ms while the other hung; hanging endpoint got %d requests%n",
              receiver.receivedAt("/healthy").size(),
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
              receiver.receivedAt("/hangs").size());
          List<AttemptRecord> attempts = env.readValues(env.topics().attempts());
          assertThat(attempts)
              .filteredOn(a -> a.endpointId().value().equals("ep_hangs"))
              .extracting(AttemptRecord::outcome)
              .contains(AttemptOutcome.DEFERRED_ENDPOINT_BUSY);
          assertThat(attempts)
              .filteredOn(a -> a.endpointId().value().equals("ep_healthy"))
              .extracting(AttemptRecord::outcome)
              .containsOnly(AttemptOutcome.DELIVERED);
          assertThat(receiver.receivedAt("/healthy"))
              .extracting(r -> r.header("X-Event-Id"))
              .doesNotHaveDuplicates();
        }
      }
    }
  }
}
