package com.flintn.webhooks.launcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.admin.AdminApp;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCreator;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import com.flintn.webhooks.kafka.EmbeddedKafka;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processes against a broker that accepts clients only over SASL/SCRAM, configured the way an
 * operator does it: {@code FLINTN_KAFKA_CLIENT_*} environment variables. With them every kind of
 * client works (admin, group and plain consumers, idempotent and transactional producers, Kafka
 * Streams); without them, or with a wrong password, nothing gets through and the error says why.
 */
@Tag("broker")
class SecuredKafkaTest {
  private static final EmbeddedKafka.ScramUser USER =
      new EmbeddedKafka.ScramUser("flintn", "scram-secret-for-tests");

  private static final String API_KEY = "fw_secured_kafka_test_key_0123456789";

  @TempDir static Path dir;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.startWithScram(dir.resolve("kafka"), Duration.ofSeconds(60), USER);
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  /** The environment an operator sets, for {@code password}; none of the client ones if null. */
  private static Map<String, String> environment(String prefix, String password) {
    Map<String, String> env = new HashMap<>();
    env.put("FLINTN_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("FLINTN_TOPICS_PREFIX", prefix);
    env.put("FLINTN_TOPICS_PARTITIONS", "1");
    env.put("FLINTN_TOPICS_REPLICATION_FACTOR", "1");
    env.put("FLINTN_RETRY_TIERS", "500ms,1s,2s,3s");
    env.put("FLINTN_HTTP_TIMEOUT", "5s");
    env.put("FLINTN_URL_GUARD_ALLOW", "127.0.0.1/32");
    env.put("FLINTN_SECRETS_ENCRYPTION_KEY", TestEnvironment.TEST_ENCRYPTION_KEY);
    env.put("FLINTN_ADMIN_PORT", "0");
    if (password != null) {
      env.put("FLINTN_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
      env.put("FLINTN_KAFKA_CLIENT_SASL_MECHANISM", EmbeddedKafka.SCRAM_MECHANISM);
      env.put(
          "FLINTN_KAFKA_CLIENT_SASL_JAAS_CONFIG",
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + USER.username()
              + "\" password=\""
              + password
              + "\";");
    }
    return env;
  }

  private static FlintnConfig config(Map<String, String> env) {
    return FlintnConfig.from(ConfigValues.load(Optional.empty(), env, Map.of()));
  }

  @Test
  void everyProcessDeliversAndRetriesOverScramWithThePassthrough() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (HttpsReceiver receiver = new HttpsReceiver()) {
      // The first attempt fails, so the event also goes through a retry tier and the scheduler.
      receiver.respondWith(
          r -> new MockResponse.Builder().code(calls.getAndIncrement() == 0 ? 503 : 200).build());
      Map<String, String> env = environment("secured", USER.password());
      env.put("FLINTN_HTTP_TRUSTED_CERTIFICATES", receiver.trustedCertificatePem().toString());
      FlintnConfig c = config(env);
      assertThat(c.kafka().client().asMap())
          .containsKeys("security.protocol", "sasl.mechanism", "sasl.jaas.config");

      try (Admin admin = Admin.create(TopicsCommand.adminProperties(c))) {
        assertThat(TopicsCommand.create(admin, c, false))
            .isNotEmpty()
            .allMatch(TopicCreator.Result::created);
      }
      try (EndpointStateApp endpointState = new EndpointStateApp(c);
          DispatcherApp dispatcher = new DispatcherApp(c, Clock.systemUTC());
          RetrySchedulerApp scheduler = new RetrySchedulerApp(c, Clock.systemUTC());
          AdminApp admin =
              new AdminApp(
                  c,
                  ApiKeys.of(List.of(API_KEY), List.of(AccountId.of("acc_1"))),
                  Clock.systemUTC());
          KafkaProducer<byte[], byte[]> producer =
              new KafkaProducer<>(
                  KafkaClients.producer(c.kafka(), "secured-test"),
                  new ByteArraySerializer(),
                  new ByteArraySerializer())) {
        endpointState.start();
        Topic<String, Endpoint> endpoints = c.topicCatalog().endpoints();
        Endpoint ep =
            endpoint(
                "ep_sasl", "acc_1", receiver.url("/hook"), List.of("*"), EndpointStatus.ACTIVE);
        producer
            .send(
                new ProducerRecord<>(
                    endpoints.name(),
                    endpoints.keySerde().serializer().serialize(endpoints.name(), "ep_sasl"),
                    endpoints.valueSerde().serializer().serialize(endpoints.name(), ep)))
            .get();
        dispatcher.start();
        scheduler.start();
        admin.start();
        producer
            .send(
                new ProducerRecord<>(
                    c.topicCatalog().events().name(),
                    "acc_1".getBytes(StandardCharsets.UTF_8),
                    event("evt_sasl_1", "order.created", "acc_1").getBytes(StandardCharsets.UTF_8)))
            .get();

        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> receiver.receivedAt("/hook").size() >= 2);
        assertThat(receiver.receivedAt("/hook"))
            .extracting(r -> r.header("X-Event-Id"))
            .containsOnly("evt_sasl_1");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> endpointState.state() == KafkaStreams.State.RUNNING);
        // the admin API reads the attempts topic over SCRAM too
        HttpRequest attempts =
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + admin.port() + "/v1/webhooks/ep_sasl/attempts"))
                .header("Authorization", "Bearer " + API_KEY)
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
          await()
              .atMost(Duration.ofSeconds(60))
              .untilAsserted(
                  () -> {
                    HttpResponse<String> r = http.send(attempts, BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.body()).contains("evt_sasl_1");
                  });
        }
      }
    }
  }

  @Test
  void withoutThePassthroughTheSaslListenerCannotBeReached() {
    FlintnConfig c = config(environment("unsecured", null));
    assertThat(c.kafka().client().isEmpty()).isTrue();
    assertThatThrownBy(() -> createTopics(c))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot reach Kafka")
        .hasMessageContaining("kafka.bootstrap-servers=" + kafka.bootstrapServers());
  }

  @Test
  void aWrongPasswordIsReportedAsAnAuthenticationFailure() {
    FlintnConfig c = config(environment("wrong", "not-the-password"));
    assertThatThrownBy(() -> createTopics(c))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Authentication failed")
        .hasMessageNotContaining("not-the-password");
  }

  @Test
  void aWrongPasswordStopsTheDispatcherAndTheAdminNamingTheRefusedLogin() {
    FlintnConfig c = config(environment("wrong", "not-the-password"));
    // the refused login, not a read that timed out a minute later
    try (DispatcherApp dispatcher = new DispatcherApp(c, Clock.systemUTC())) {
      assertThatThrownBy(dispatcher::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("could not read wrong.endpoints")
          .hasMessageContaining("Authentication failed")
          .hasMessageNotContaining("within 60 s")
          .hasMessageNotContaining("not-the-password");
    }
    AdminApp admin =
        new AdminApp(
            c, ApiKeys.of(List.of(API_KEY), List.of(AccountId.of("acc_1"))), Clock.systemUTC());
    try {
      assertThatThrownBy(admin::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Authentication failed")
          .hasMessageNotContaining("within 60 s");
    } finally {
      admin.close();
    }
  }

  /** What {@code topics create} does with {@code c}: connect and create the topics. */
  private static void createTopics(FlintnConfig c) throws Exception {
    try (Admin admin = Admin.create(TopicsCommand.adminProperties(c))) {
      TopicsCommand.create(admin, c, false);
    }
  }
}
