package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigKey;
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

/**
 * A stop gives the requests in flight until {@code shutdown.timeout} to finish, and abandons the
 * deliveries still waiting for a slot: once the requests are answered there is nothing left to wait
 * for, however many deliveries were abandoned.
 */
@Tag("broker")
class BoundedStopTest {

  @Test
  void aStopEndsOnceTheRequestsInFlightAreAnsweredNotAtItsBound() throws Exception {
    try (HttpsReceiver receiver = new HttpsReceiver()) {
      receiver.http1Only();
      receiver.respondWith(
          r -> new MockResponse.Builder().code(200).headersDelay(1, TimeUnit.SECONDS).build());
      Map<ConfigKey, String> config =
          Map.of(
              ConfigKey.HTTP_MAX_IN_FLIGHT_PER_ENDPOINT, "4",
              ConfigKey.DISPATCHER_MAX_HOLD, "60s",
              ConfigKey.SHUTDOWN_TIMEOUT, "30s");
      try (TestEnvironment env =
          TestEnvironment.create("bounded-stop", 1, Optional.of(receiver), config)) {
        env.putEndpoint(
            endpoint(
                "ep_slow", "acc_1", receiver.url("/slow"), List.of("*"), EndpointStatus.ACTIVE));
        DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC());
        dispatcher.start();
        for (int i = 0; i < 100; i++) {
          env.sendAsync(
              env.topics().events().name(),
              "acc_1".getBytes(StandardCharsets.UTF_8),
              event("evt_" + i, "order.created", "acc_1").getBytes(StandardCharsets.UTF_8));
        }
        env.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.received().size() >= 4);

        long start = System.nanoTime();
        dispatcher.close();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(
            "bounded stop: closed in %d ms with %d requests received%n",
            tookMillis, receiver.received().size());
        // The 4 requests in flight are answered within about a second; the 30 s bound (27 s of
        // it for draining) is for requests that take that long, not for abandoned deliveries.
        assertThat(tookMillis).isLessThan(10_000);
      }
    }
  }
}
