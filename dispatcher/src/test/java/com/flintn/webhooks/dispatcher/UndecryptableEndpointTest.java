package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.json.JsonSerde;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.metrics.Health;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.SharedKafka;
import com.flintn.webhooks.testkit.TestEnvironment;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An endpoint record written with another {@code secrets.encryption-key} must never make its
 * endpoint look deleted: events would fan out without it and be committed, its retries would be
 * dropped. At start the dispatcher refuses to run, naming the key; while running it holds every
 * partition, health down, until the record is replaced.
 */
@Tag("broker")
class UndecryptableEndpointTest {
  private static final String OTHER_KEY = SecretCipher.generateKey();

  @Test
  void startIsRefusedNamingTheKeyAndNothingIsConsumed() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("wrong-key-start", 1, Optional.empty(), Map.of())) {
      putWithOtherKey(
          env,
          endpoint(
              "ep_1", "acc_1", "https://127.0.0.1:9/hook", List.of("*"), EndpointStatus.ACTIVE));
      env.putEndpoint(
          endpoint(
              "ep_2", "acc_1", "https://127.0.0.1:9/hook", List.of("*"), EndpointStatus.ACTIVE));
      env.send(
          env.topics().events().name(),
          utf8("acc_1"),
          utf8(event("evt_1", "order.created", "acc_1")));

      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
        assertThatThrownBy(dispatcher::start)
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith(
                "secrets.encryption-key: 1 endpoint record cannot be decrypted with this key"
                    + " (first: ep_1); it is not the key they were written with")
            .hasMessageNotContaining("\n");
        assertThat(committed(dispatcher.groupId(), events(env))).isEqualTo(-1);
      }
    }
  }

  @Test
  void aRecordWrittenWithAnotherKeyWhileRunningHoldsConsumptionUntilReplaced() throws Exception {
    try (HttpsReceiver receiver = new HttpsReceiver();
        TestEnvironment env =
            TestEnvironment.create("wrong-key-running", 1, Optional.of(receiver), Map.of())) {
      env.putEndpoint(
          endpoint("ep_1", "acc_1", receiver.url("/one"), List.of("*"), EndpointStatus.ACTIVE));
      Endpoint second =
          endpoint("ep_2", "acc_1", receiver.url("/two"), List.of("*"), EndpointStatus.ACTIVE);
      Health health = new Health(new SimpleMeterRegistry());
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
        dispatcher.addHealthChecks(health);
        dispatcher.start();
        assertThat(health.report().get("endpoint_table").healthy()).isTrue();

        putWithOtherKey(env, second);
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> !health.report().get("endpoint_table").healthy());
        assertThat(health.report().get("endpoint_table").detail())
            .startsWith("secrets.encryption-key: 1 endpoint record cannot be decrypted")
            .contains("first: ep_2");

        env.send(
            env.topics().events().name(),
            utf8("acc_1"),
            utf8(event("evt_1", "order.created", "acc_1")));
        // Held: neither delivered to the endpoint it can read, nor committed.
        await()
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    receiver.received().isEmpty()
                        && committed(dispatcher.groupId(), events(env)) <= 0);

        env.putEndpoint(second); // rewritten with the configured key
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() >= 2);
        assertThat(receiver.received())
            .extracting(r -> r.path())
            .containsExactlyInAnyOrder("/one", "/two");
        assertThat(health.report().get("endpoint_table").healthy()).isTrue();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> committed(dispatcher.groupId(), events(env)) == 1);
      }
    }
  }

  private static void putWithOtherKey(TestEnvironment env, Endpoint e) {
    String topic = env.topics().endpoints().name();
    JsonSerde<Endpoint> serde =
        new JsonSerde<>(
            Endpoint.class, Json.mapperEncrypting(SecretCipher.fromBase64Key(OTHER_KEY)));
    env.send(topic, utf8(e.endpointId().value()), serde.serialize(topic, e));
  }

  private static TopicPartition events(TestEnvironment env) {
    return new TopicPartition(env.topics().events().name(), 0);
  }

  private static long committed(String group, TopicPartition tp) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      OffsetAndMetadata o =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(tp);
      return o == null ? -1 : o.offset();
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
