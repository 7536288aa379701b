package com.flintn.webhooks.bench;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.SigningSecrets;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.common.topic.KafkaClients;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCreator;
import com.flintn.webhooks.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What every scenario runs on: one embedded broker and one HTTPS sink for the whole run, and per
 * scenario its own topic prefix with endpoints written straight into the endpoints table.
 */
final class Rig implements AutoCloseable {
  static final AccountId ACCOUNT = AccountId.of("acc_bench");

  final EmbeddedKafka kafka;
  final Sink sink;
  final Clock clock = Clock.systemUTC();
  private final String key = SecretCipher.generateKey();

  private Rig(EmbeddedKafka kafka, Sink sink) {
    this.kafka = kafka;
    this.sink = sink;
  }

  static Rig start() throws Exception {
    Path dir = Files.createTempDirectory("flintn-bench-kafka");
    return new Rig(EmbeddedKafka.start(dir, 0, Duration.ofSeconds(60)), Sink.start());
  }

  /** A configuration of its own topic prefix, with every topic created. */
  FlintnConfig config(String prefix, int partitions) throws InterruptedException {
    Map<ConfigKey, String> v = new EnumMap<>(ConfigKey.class);
    v.put(ConfigKey.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    v.put(ConfigKey.TOPICS_PREFIX, prefix);
    v.put(ConfigKey.TOPICS_PARTITIONS, String.valueOf(partitions));
    v.put(ConfigKey.TOPICS_REPLICATION_FACTOR, "1");
    v.put(ConfigKey.HTTP_TIMEOUT, "5s");
    v.put(ConfigKey.URL_GUARD_ALLOW, "127.0.0.1/32");
    v.put(ConfigKey.HTTP_TRUSTED_CERTIFICATES, sink.certificatePem().toString());
    v.put(ConfigKey.SECRETS_ENCRYPTION_KEY, key);
    FlintnConfig c = FlintnConfig.from(ConfigValues.load(Optional.empty(), Map.of(), v));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      new TopicCreator(admin).createAll(c.topicCatalog(), partitions, (short) 1);
    }
    return c;
  }

  /**
   * {@code n} active endpoints, endpoint i subscribed to type {@code bench.t<i>} at path /prefix/i.
   */
  List<Endpoint> endpoints(FlintnConfig c, int n) throws Exception {
    List<Endpoint> out = new ArrayList<>();
    Instant now = clock.instant();
    Topic<String, Endpoint> t = c.topicCatalog().endpoints();
    try (KafkaProducer<byte[], byte[]> p = producer(c)) {
      for (int i = 0; i < n; i++) {
        Endpoint e =
            new Endpoint(
                EndpointId.of("ep_" + c.topics().prefix() + "_" + i),
                ACCOUNT,
                "bench " + i,
                sink.url("/" + c.topics().prefix() + "/" + i),
                List.of(type(i)),
                EndpointStatus.ACTIVE,
                null,
                SigningSecrets.of(Secret.generate()),
                now,
                now,
                1,
                now);
        p.send(
                new ProducerRecord<>(
                    t.name(),
                    bytes(e.endpointId().value()),
                    t.valueSerde().serializer().serialize(t.name(), e)))
            .get();
        out.add(e);
      }
    }
    return out;
  }

  static String type(int i) {
    return "bench.t" + i;
  }

  /** Produces {@code n} events; event k goes to type {@code typeOf(k)}, so to one endpoint. */
  void events(FlintnConfig c, int n, java.util.function.IntUnaryOperator typeOf) throws Exception {
    String topic = c.topicCatalog().events().name();
    try (KafkaProducer<byte[], byte[]> p = producer(c)) {
      String created = clock.instant().toString();
      for (int k = 0; k < n; k++) {
        String json =
            "{\"event_id\":\"evt_"
                + c.topics().prefix()
                + "_"
                + k
                + "\",\"event_type\":\""
                + type(typeOf.applyAsInt(k))
                + "\",\"account_id\":\""
                + ACCOUNT.value()
                + "\",\"created_at\":\""
                + created
                + "\",\"data\":{\"order_id\":\"ord_"
                + k
                + "\",\"amount\":4200,\"currency\":\"EUR\"}}";
        p.send(new ProducerRecord<>(topic, bytes(ACCOUNT.value() + (k % 64)), bytes(json)));
      }
      p.flush();
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(FlintnConfig c) {
    var props = KafkaClients.producer(c.kafka().bootstrapServers(), "bench-producer");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    sink.close();
    kafka.close();
  }
}
