package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.SharedKafka;
import com.flintn.webhooks.testkit.TestEnvironment;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's own rate limit holds across every dispatcher of the group (docs/design.md §6.6):
 * with two dispatchers reading events spread over four partitions, the receiver's own arrival times
 * never show more than the limit allows (beyond the bucket's burst, two deliveries of slack for the
 * network and the receiver), every event arrives, and another endpoint fed from the same partitions
 * is not held to that pace.
 */
@Tag("broker")
class EndpointRateLimitTest {
  private static final int RATE = 5;
  private static final int LIMITED_EVENTS = 30;
  private static final int FREE_EVENTS = 30;

  @Test
  void twoDispatchersTogetherKeepAnEndpointsRateAndDoNotSlowOthers() throws Exception {
    try (HttpsReceiver receiver = new HttpsReceiver()) {
      try (TestEnvironment env =
          TestEnvironment.create("rate-limit", 4, Optional.of(receiver), Map.of())) {
        Endpoint plain =
            endpoint("ep_limited", "acc_lim", receiver.url("/limited"), List.of("*"), ACTIVE);
        env.putEndpoint(withRateLimit(plain, RATE));
        env.putEndpoint(
            endpoint("ep_free", "acc_free", receiver.url("/free"), List.of("*"), ACTIVE));
        MeterRegistry firstMeters = new SimpleMeterRegistry();
        MeterRegistry secondMeters = new SimpleMeterRegistry();
        try (DispatcherApp first = new DispatcherApp(env.config(), Clock.systemUTC(), firstMeters);
            DispatcherApp second =
                new DispatcherApp(env.config(), Clock.systemUTC(), secondMeters)) {
          first.start();
          second.start();
          awaitTwoMembersWithPartitions(first.groupId());

          // First both dispatchers open their connection to the receiver. The pace is kept where
          // requests are handed to the HTTP client: requests handed over while a connection is
          // still being opened would reach the receiver together once it is open
          // (docs/design.md §6.6, "Known limits").
          int warmUp = 0;
          while (delivered(firstMeters) == 0 || delivered(secondMeters) == 0) {
            assertThat(warmUp).as("events until both dispatchers delivered one").isLessThan(200);
            for (int i = 0; i < 8; i++, warmUp++) {
              sendEvent(env, "warm_" + warmUp, "evt_warm_" + warmUp, "acc_free");
            }
            env.flush();
            int sent = warmUp;
            await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> distinctEvents(receiver.receivedAt("/free")) >= sent);
          }
          int warmedUp = warmUp;
          assertThat(moved(firstMeters) + moved(secondMeters)).isZero();

          // Keys spread the events over every partition, so both dispatchers read some of them.
          for (int i = 0; i < LIMITED_EVENTS; i++) {
            sendEvent(env, "key_" + i, "evt_lim_" + i, "acc_lim");
          }
          for (int i = 0; i < FREE_EVENTS; i++) {
            sendEvent(env, "key_" + i, "evt_free_" + i, "acc_free");
          }
          env.flush();

          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> distinctEvents(receiver.receivedAt("/free")) >= warmedUp + FREE_EVENTS);
          int limitedSoFar = receiver.receivedAt("/limited").size();
          System.out.printf(
              "rate limit: the free endpoint got all %d events while the limited one had %d of"
                  + " %d%n",
              FREE_EVENTS, limitedSoFar, LIMITED_EVENTS);
          // 30 at 5 a second take 6 s; the free endpoint was not held to that pace.
          assertThat(limitedSoFar).isLessThan(LIMITED_EVENTS / 2);

          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> distinctEvents(receiver.receivedAt("/limited")) >= LIMITED_EVENTS);
          List<HttpsReceiver.Received> arrivals = receiver.receivedAt("/limited");
          assertThat(arrivals)
              .extracting(r -> r.header("X-Event-Id"))
              .doesNotHaveDuplicates()
              .hasSize(LIMITED_EVENTS);
          System.out.printf(
              "rate limit: moved %d and %d, paced %d and %d%n",
              moved(firstMeters), moved(secondMeters), paced(firstMeters), paced(secondMeters));
          // Both dispatchers read deliveries of the limited endpoint from the main lanes and
          // moved them to the one partition of the overflow lane where it is paced.
          assertThat(moved(firstMeters)).isPositive();
          assertThat(moved(secondMeters)).isPositive();
          assertThat(moved(firstMeters) + moved(secondMeters))
              .isGreaterThanOrEqualTo(LIMITED_EVENTS);
          assertPacedAt(
              RATE, arrivals.stream().mapToLong(HttpsReceiver.Received::atMillis).toArray());
        }
      }
    }
  }

  /**
   * In every stretch of the arrivals, the number of deliveries is at most the limit's share of the
   * time they span, plus the bucket's burst and two for jitter.
   */
  static void assertPacedAt(int rate, long[] atMillis) {
    long[] t = atMillis.clone();
    java.util.Arrays.sort(t);
    int burst = Math.max(1, rate / 10); // TokenBucket.burst: a tenth of a second's worth
    // Arrival times are taken by the receiver after TLS and HTTP/2 framing, on a machine other
    // builds share: a delivery held up there by 150 ms arrives closer to the next one.
    int slack = 2;
    double allowed = 0;
    for (int i = 0; i < t.length; i++) {
      for (int j = i + 1; j < t.length; j++) {
        int deliveries = j - i + 1;
        double limit = burst + slack + rate * (t[j] - t[i]) / 1000.0;
        assertThat((double) deliveries)
            .as(
                "%d deliveries arrived within %d ms (arrivals %d to %d of %s)",
                deliveries, t[j] - t[i], i, j, java.util.Arrays.toString(t))
            .isLessThanOrEqualTo(limit);
        allowed = Math.max(allowed, deliveries - rate * (t[j] - t[i]) / 1000.0);
      }
    }
    long[] gaps = new long[t.length - 1];
    for (int i = 1; i < t.length; i++) {
      gaps[i - 1] = t[i] - t[i - 1];
    }
    System.out.printf(
        "rate limit: %d arrivals over %d ms at %d/s; most ahead of the pace: %.2f; gaps (ms): %s%n",
        t.length, t[t.length - 1] - t[0], rate, allowed, java.util.Arrays.toString(gaps));
  }

  private static long moved(MeterRegistry r) {
    return (long) r.get(WebhookMetrics.RATE_LIMIT_MOVED).functionCounter().count();
  }

  private static double delivered(MeterRegistry r) {
    return r.find(WebhookMetrics.DELIVERIES).tag("outcome", "delivered").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static long paced(MeterRegistry r) {
    return (long) r.get(WebhookMetrics.RATE_LIMIT_PACED).functionCounter().count();
  }

  private static long distinctEvents(List<HttpsReceiver.Received> rs) {
    return rs.stream().map(r -> r.header("X-Event-Id")).distinct().count();
  }

  private static void awaitTwoMembersWithPartitions(String groupId) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                ConsumerGroupDescription d =
                    admin
                        .describeConsumerGroups(List.of(groupId))
                        .describedGroups()
                        .get(groupId)
                        .get();
                return d.members().size() == 2
                    && d.members().stream()
                        .map(MemberDescription::assignment)
                        .allMatch(a -> !a.topicPartitions().isEmpty());
              });
    }
  }

  static Endpoint withRateLimit(Endpoint e, int rate) {
    return e.withSettings(null, null, null, rate, e.updatedAt());
  }

  private static void sendEvent(TestEnvironment env, String key, String eventId, String account) {
    env.sendAsync(
        env.topics().events().name(),
        key.getBytes(StandardCharsets.UTF_8),
        event(eventId, "order.created", account).getBytes(StandardCharsets.UTF_8));
  }

  private static final EndpointStatus ACTIVE = EndpointStatus.ACTIVE;
}
