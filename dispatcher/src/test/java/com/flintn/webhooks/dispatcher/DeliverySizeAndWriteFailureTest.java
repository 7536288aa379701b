package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.SharedKafka;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import mockwebserver3.MockResponse;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Deliveries must always fit in the topics they are written to, and a write that fails for good
 * must never be committed past: the configuration is refused at start, an event whose deliveries
 * could not be written is refused as invalid, and a write that still fails stops its partition with
 * health down until the cause is fixed, after which nothing is missing.
 */
@Tag("broker")
class DeliverySizeAndWriteFailureTest {

  @Test
  void anEventSizeTheDeliveryTopicsCannotHoldIsRefusedAtStartNamingTheKey() throws Exception {
    // The broker's default max.message.bytes is about 1 MiB; a 2 MiB event could not be retried.
    try (TestEnvironment env =
            TestEnvironment.create(
                "size-config",
                1,
                Optional.empty(),
                Map.of(ConfigKey.EVENTS_MAX_BYTES, String.valueOf(2 * 1024 * 1024)));
        DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
      assertThatThrownBy(dispatcher::start)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("events.max-bytes: 2097152 bytes")
          .hasMessageContaining("max.message.bytes");
    }
  }

  @Test
  void anEventWhoseDeliveriesWouldNotFitIsRefusedAsInvalidNotAttempted() throws Exception {
    try (HttpsReceiver receiver = new HttpsReceiver();
        TestEnvironment env =
            TestEnvironment.create(
                "size-event",
                1,
                Optional.of(receiver),
                Map.of(ConfigKey.EVENTS_MAX_BYTES, String.valueOf(20 * 1024)))) {
      // Room for records of 40 KiB: an event of up to 20 KiB and its overhead fit.
      setMaxMessageBytes(deliveryTopics(env), "40960");
      env.putEndpoint(
          endpoint("ep_1", "acc_1", receiver.url("/hook"), List.of("*"), EndpointStatus.ACTIVE));
      // 5,000 numbers written 1e1 (20,000 bytes) are written back as 1E+1 (25,000 bytes): under
      // events.max-bytes as sent, over the room left for a body as delivered.
      StringBuilder numbers = new StringBuilder();
      for (int i = 0; i < 5000; i++) {
        numbers.append(i == 0 ? "" : ",").append("1e1");
      }
      String grows =
          "{\"event_id\":\"evt_grows\",\"event_type\":\"order.created\",\"account_id\":\"acc_1\","
              + "\"created_at\":\"2026-11-27T10:00:00Z\",\"data\":{\"n\":["
              + numbers
              + "]}}";
      assertThat(grows.length()).isLessThan(20 * 1024);
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
        dispatcher.start();
        env.send(env.topics().events().name(), utf8("acc_1"), utf8(grows));
        env.send(
            env.topics().events().name(),
            utf8("acc_1"),
            utf8(event("evt_small", "order.created", "acc_1")));
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() >= 1);
        List<ConsumerRecord<byte[], byte[]>> invalid =
            env.readAll(env.topics().eventsInvalid().name());
        assertThat(invalid).hasSize(1);
        assertThat(header(invalid.get(0), HeaderNames.REASON)).isEqualTo("too_large");
        assertThat(header(invalid.get(0), HeaderNames.DETAIL))
            .contains("as delivered")
            .contains("max.message.bytes 40960");
        assertThat(receiver.received())
            .extracting(r -> r.header("X-Event-Id"))
            .containsExactly("evt_small");
      }
    }
  }

  @Test
  void aWriteThatFailsForGoodStopsItsPartitionUncommittedAndLosesNothing() throws Exception {
    try (HttpsReceiver receiver = new HttpsReceiver();
        TestEnvironment env =
            TestEnvironment.create("write-fails", 1, Optional.of(receiver), Map.of())) {
      receiver.respondWith(r -> new MockResponse.Builder().code(503).build());
      env.putEndpoint(
          endpoint("ep_1", "acc_1", receiver.url("/hook"), List.of("*"), EndpointStatus.ACTIVE));
      String firstTier = env.topics().retryTier(0).name();
      TopicPartition events = new TopicPartition(env.topics().events().name(), 0);
      // Random letters, so that compression cannot bring the record under the limit.
      Random random = new Random(7);
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 4000; i++) {
        text.append((char) ('a' + random.nextInt(26)));
      }
      String bigEvent = eventWithData("evt_big", text.toString());

      try (DispatcherApp first = new DispatcherApp(env.config(), Clock.systemUTC())) {
        first.start();
        // The first tier is changed under the running dispatcher so its retry record cannot fit.
        setMaxMessageBytes(List.of(firstTier), "1024");
        env.send(env.topics().events().name(), utf8("acc_1"), utf8(bigEvent));

        StoppedPartition.awaitStoppedUncommitted(first, events, "RecordTooLargeException");
        assertThat(env.readAll(firstTier)).isEmpty();
      }

      // The operator fixes the topic and restarts: the event is attempted again and its retry is
      // written, so nothing was lost.
      setMaxMessageBytes(List.of(firstTier), null);
      try (DispatcherApp second = new DispatcherApp(env.config(), Clock.systemUTC())) {
        second.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> !env.readValues(env.topics().retryTier(0)).isEmpty());
        Delivery retry = env.readValues(env.topics().retryTier(0)).get(0);
        assertThat(retry.event().eventId().value()).isEqualTo("evt_big");
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(second.stoppedPartitions()).isEmpty();
      }
    }
  }

  private static List<String> deliveryTopics(TestEnvironment env) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < env.topics().tiers().size(); i++) {
      names.add(env.topics().retryTier(i).name());
    }
    names.add(env.topics().deliveriesDue().name());
    names.add(env.topics().overflow().name());
    names.add(env.topics().dlq().name());
    return names;
  }

  /** Sets (or, with null, removes) {@code max.message.bytes} on {@code topics}. */
  private static void setMaxMessageBytes(Collection<String> topics, String bytes) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
      for (String t : topics) {
        ConfigEntry entry = new ConfigEntry("max.message.bytes", bytes);
        ops.put(
            new ConfigResource(ConfigResource.Type.TOPIC, t),
            List.of(
                new AlterConfigOp(
                    entry,
                    bytes == null ? AlterConfigOp.OpType.DELETE : AlterConfigOp.OpType.SET)));
      }
      admin.incrementalAlterConfigs(ops).all().get();
    }
  }

  private static String eventWithData(String id, String text) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_type\":\"order.created\",\"account_id\":\"acc_1\","
        + "\"created_at\":\"2026-11-27T10:00:00Z\",\"data\":{\"text\":\""
        + text
        + "\"}}";
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
