package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.message.AttemptOutcome;
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
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * De-duplication of events against the real dispatcher, broker and an HTTPS receiver
 * (docs/design.md §6.7): a repeat of an account's event id in its partition within {@code
 * events.dedup-window} is delivered once and counted; after the window it is delivered again; a new
 * dispatcher remembers what the one before it saw; and the same record read again after a crash is
 * delivered, not taken for a repeat.
 */
@Tag("broker")
class EventDedupTest {
  private final HttpsReceiver receiver = new HttpsReceiver();

  @AfterEach
  void closeReceiver() {
    receiver.close();
  }

  @Test
  void aRepeatWithinTheWindowIsDeliveredOnceAndCounted() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("dedup", 2, Optional.of(receiver), Map.of())) {
      putEndpointOne(env);
      env.putEndpoint(
          endpoint("ep_2", "acc_2", receiver.url("/two"), List.of("*"), EndpointStatus.ACTIVE));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (DispatcherApp dispatcher =
          new DispatcherApp(env.config(), Clock.systemUTC(), registry)) {
        dispatcher.start();
        String first = event("evt_1", "order.created", "acc_1");
        String otherContent =
            event("evt_1", "order.updated", "acc_1", "2026-11-27T11:00:00Z", "{\"again\":true}");
        send(env, "acc_1", first);
        send(env, "acc_1", first); // the same record produced twice
        send(env, "acc_1", otherContent); // the same id with other content
        // The same event id in another account is another event.
        send(env, "acc_2", event("evt_1", "order.created", "acc_2"));
        send(env, "acc_1", event("evt_last", "order.created", "acc_1"));

        awaitReceived("/one", "evt_last");
        awaitReceived("/two", "evt_1");
        awaitNoLag(env, dispatcher.groupId());
        assertThat(receiver.receivedAt("/one"))
            .extracting(r -> r.header("X-Event-Id") + " " + r.bodyText())
            .containsExactlyInAnyOrder(
                "evt_1 " + first, "evt_last " + event("evt_last", "order.created", "acc_1"));
        assertThat(duplicates(registry)).isEqualTo(2);
        // One attempt each: a repeat is not attempted, so it leaves no attempt record.
        assertThat(env.readValues(env.topics().attempts()))
            .extracting(a -> a.endpointId().value() + " " + a.eventId().value())
            .containsExactlyInAnyOrder("ep_1 evt_1", "ep_1 evt_last", "ep_2 evt_1");
        // Each first sighting is kept on the seen-ids topic, in its events partition's number.
        assertThat(seenIds(env)).isEqualTo(3);
      }
    }
  }

  @Test
  void aRepeatAfterTheWindowIsDeliveredAgain() throws Exception {
    ShiftedClock clock = new ShiftedClock();
    try (TestEnvironment env =
        TestEnvironment.create(
            "dedup-window",
            1,
            Optional.of(receiver),
            Map.of(ConfigKey.EVENTS_DEDUP_WINDOW, "1m"))) {
      putEndpointOne(env);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), clock, registry)) {
        dispatcher.start();
        String body = event("evt_1", "order.created", "acc_1");
        send(env, "acc_1", body);
        awaitReceived("/one", "evt_1");
        clock.shift(Duration.ofSeconds(30));
        send(env, "acc_1", body); // within the minute: not delivered
        send(env, "acc_1", event("evt_mark", "order.created", "acc_1"));
        awaitReceived("/one", "evt_mark");
        assertThat(duplicates(registry)).isEqualTo(1);

        clock.shift(Duration.ofSeconds(32)); // 62 s after the first sighting
        send(env, "acc_1", body);
        send(env, "acc_1", body); // a repeat of the new first sighting
        afterALastEvent(env, registry, 2, "evt_1", "evt_mark", "evt_1");
      }
    }
  }

  @Test
  void aNewDispatcherStillRefusesARepeatOfAnEventSeenBeforeTheRestart() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("dedup-restart", 2, Optional.of(receiver), Map.of())) {
      putEndpointOne(env);
      String body = event("evt_1", "order.created", "acc_1");
      try (DispatcherApp first = new DispatcherApp(env.config(), Clock.systemUTC())) {
        first.start();
        send(env, "acc_1", body);
        awaitReceived("/one", "evt_1");
        awaitNoLag(env, first.groupId());
      }
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (DispatcherApp second = new DispatcherApp(env.config(), Clock.systemUTC(), registry)) {
        second.start();
        send(env, "acc_1", body);
        afterALastEvent(env, registry, 1, "evt_1");
      }
    }
  }

  @Test
  void theSameRecordReadAgainAfterACrashBeforeItsCommitIsDeliveredNotCounted() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("dedup-crash", 1, Optional.of(receiver), Map.of())) {
      putEndpointOne(env);
      // The first request is held unanswered: its record stays unfinished, so nothing is committed.
      CountDownLatch release = new CountDownLatch(1);
      AtomicBoolean held = new AtomicBoolean();
      receiver.respondWith(
          r -> {
            if (held.compareAndSet(false, true)) {
              try {
                release.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return new MockResponse.Builder().code(200).body("ok").build();
          });
      String body = event("evt_1", "order.created", "acc_1");
      DispatcherApp first = new DispatcherApp(env.config(), Clock.systemUTC());
      try {
        first.start();
        send(env, "acc_1", body);
        await().atMost(Duration.ofSeconds(30)).until(held::get);
        // Its first sighting is written (the record still waits for its delivery)...
        await().atMost(Duration.ofSeconds(30)).until(() -> seenIds(env) == 1);
      } finally {
        first.halt(); // ...when the dispatcher crashes
        release.countDown();
      }
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (DispatcherApp second = new DispatcherApp(env.config(), Clock.systemUTC(), registry)) {
        second.start();
        send(env, "acc_1", event("evt_last", "order.created", "acc_1"));
        awaitReceived("/one", "evt_last");
        // The record read again is the same record, not a repeat: delivered, not counted.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    env.readValues(env.topics().attempts()).stream()
                        .filter(a -> a.eventId().value().equals("evt_1"))
                        .anyMatch(a -> a.outcome() == AttemptOutcome.DELIVERED));
        assertThat(receiver.receivedAt("/one"))
            .extracting(r -> r.header("X-Event-Id"))
            .containsExactlyInAnyOrder("evt_1", "evt_1", "evt_last");
        assertThat(duplicates(registry)).isZero();
      }
    }
  }

  @Test
  void aSeenWriteThatFailsForGoodStopsThePartitionUncommitted() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("dedup-fail", 1, Optional.of(receiver), Map.of())) {
      putEndpointOne(env);
      String seen = env.topics().eventsSeen().name();
      TopicPartition events = new TopicPartition(env.topics().events().name(), 0);
      try (DispatcherApp first = new DispatcherApp(env.config(), Clock.systemUTC())) {
        first.start();
        setMaxMessageBytes(seen, "16"); // no record of first sightings fits any more
        send(env, "acc_1", event("evt_1", "order.created", "acc_1"));
        StoppedPartition.awaitStoppedUncommitted(first, events, "RecordTooLargeException");
      }
      // Fixed and restarted: the record is handled again, and its first sighting written.
      setMaxMessageBytes(seen, null);
      try (DispatcherApp second = new DispatcherApp(env.config(), Clock.systemUTC())) {
        second.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> seenIds(env) == 1);
        awaitNoLag(env, second.groupId());
        assertThat(second.stoppedPartitions()).isEmpty();
      }
    }
  }

  @Test
  void withoutTheSeenIdsTopicTheDispatcherRefusesToStartSayingWhatToDo() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("dedup-missing", 1, Optional.empty(), Map.of())) {
      String seen = env.topics().eventsSeen().name();
      try (Admin admin =
          Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
        admin.deleteTopics(List.of(seen)).all().get();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> !env.topicNames().contains(seen));
      DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC());
      assertThatThrownBy(dispatcher::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(seen)
          .hasMessageContaining("run topics create")
          .hasMessageContaining("events.dedup-window=0");
    }
  }

  @Test
  void aZeroWindowDeliversEveryRepeatAsBefore() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create(
            "dedup-off", 1, Optional.of(receiver), Map.of(ConfigKey.EVENTS_DEDUP_WINDOW, "0"))) {
      putEndpointOne(env);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (DispatcherApp dispatcher =
          new DispatcherApp(env.config(), Clock.systemUTC(), registry)) {
        dispatcher.start();
        String body = event("evt_1", "order.created", "acc_1");
        send(env, "acc_1", body);
        send(env, "acc_1", body);
        afterALastEvent(env, registry, 0, "evt_1", "evt_1");
        assertThat(seenIds(env)).isZero();
      }
    }
  }

  /**
   * Sends one more event and, once it has arrived (everything before it on the partition is done),
   * checks that {@code /one} got exactly {@code before} and it, and how many repeats were counted.
   */
  private void afterALastEvent(
      TestEnvironment env, MeterRegistry registry, long repeats, String... before) {
    send(env, "acc_1", event("evt_last", "order.created", "acc_1"));
    awaitReceived("/one", "evt_last");
    List<String> expected = new ArrayList<>(List.of(before));
    expected.add("evt_last");
    assertThat(receiver.receivedAt("/one"))
        .extracting(r -> r.header("X-Event-Id"))
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(duplicates(registry)).isEqualTo((double) repeats);
  }

  /** Endpoint {@code ep_1} of {@code acc_1}, at {@code /one}, for every event type. */
  private void putEndpointOne(TestEnvironment env) {
    env.putEndpoint(
        endpoint("ep_1", "acc_1", receiver.url("/one"), List.of("*"), EndpointStatus.ACTIVE));
  }

  private static void send(TestEnvironment env, String key, String body) {
    env.send(
        env.topics().events().name(),
        key.getBytes(StandardCharsets.UTF_8),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private void awaitReceived(String path, String eventId) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                receiver.receivedAt(path).stream()
                    .anyMatch(r -> eventId.equals(r.header("X-Event-Id"))));
  }

  /** Sets (or, with null, removes) {@code max.message.bytes} on {@code topic}. */
  private static void setMaxMessageBytes(String topic, String bytes) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      AlterConfigOp op =
          new AlterConfigOp(
              new ConfigEntry("max.message.bytes", bytes),
              bytes == null ? AlterConfigOp.OpType.DELETE : AlterConfigOp.OpType.SET);
      admin
          .incrementalAlterConfigs(
              Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(op)))
          .all()
          .get();
    }
  }

  /** Event ids written to the seen-ids topic: 16 bytes each after a format byte per record. */
  private static int seenIds(TestEnvironment env) {
    return env.readAll(env.topics().eventsSeen().name()).stream()
        .mapToInt(r -> (r.value().length - 1) / 16)
        .sum();
  }

  private static double duplicates(MeterRegistry registry) {
    return registry.get(WebhookMetrics.EVENTS_DUPLICATES).counter().count();
  }

  /** Waits until the group has committed every record of the events topic. */
  private static void awaitNoLag(TestEnvironment env, String group) {
    String events = env.topics().events().name();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
                for (int p = 0; p < env.config().topics().partitions(); p++) {
                  latest.put(new TopicPartition(events, p), OffsetSpec.latest());
                }
                admin
                    .listOffsets(latest)
                    .all()
                    .get()
                    .forEach(
                        (tp, end) -> {
                          OffsetAndMetadata c = committed.get(tp);
                          assertThat(c == null ? 0 : c.offset())
                              .as(tp.toString())
                              .isEqualTo(end.offset());
                        });
              });
    }
  }

  /** The system clock, moved forward by the test (commits and timeouts keep running on it). */
  private static final class ShiftedClock extends Clock {
    private final AtomicReference<Duration> shift = new AtomicReference<>(Duration.ZERO);

    void shift(Duration d) {
      shift.updateAndGet(s -> s.plus(d));
    }

    @Override
    public Instant instant() {
      return Clock.systemUTC().instant().plus(shift.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
