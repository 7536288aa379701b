package com.flintn.webhooks.bench;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.io.Directories;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.SigningSecrets;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.sign.SecretCipher;
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
import java.util.function.IntUnaryOperator;
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

  /** The product's default request timeout; P3 sets a shorter one. */
  static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(30);

  /** A configuration of its own topic prefix, with every topic created. */
  FlintnConfig config(String prefix, int partitions) throws InterruptedException {
    return config(prefix, partitions, DEFAULT_HTTP_TIMEOUT);
  }

  /** Like {@link #config(String, int)}, with another request timeout. */
  FlintnConfig config(String prefix, int partitions, Duration httpTimeout)
      throws InterruptedException {
    FlintnConfig c = settings(prefix, partitions, httpTimeout);
    try (Admin admin = admin()) {
      new TopicCreator(admin).createAll(c.topicCatalog(), partitions, (short) 1);
    }
    return c;
  }

  /** A configuration of its own topic prefix; creates nothing. */
  FlintnConfig settings(String prefix, int partitions) {
    return settings(prefix, partitions, DEFAULT_HTTP_TIMEOUT);
  }

  private FlintnConfig settings(String prefix, int partitions, Duration httpTimeout) {
    Map<ConfigKey, String> v = new EnumMap<>(ConfigKey.class);
    v.put(ConfigKey.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    v.put(ConfigKey.TOPICS_PREFIX, prefix);
    v.put(ConfigKey.TOPICS_PARTITIONS, String.valueOf(partitions));
    v.put(ConfigKey.TOPICS_REPLICATION_FACTOR, "1");
    v.put(ConfigKey.HTTP_TIMEOUT, httpTimeout.toMillis() + "ms");
    v.put(ConfigKey.URL_GUARD_ALLOW, "127.0.0.1/32");
    v.put(ConfigKey.HTTP_TRUSTED_CERTIFICATES, sink.certificatePem().toString());
    v.put(ConfigKey.SECRETS_ENCRYPTION_KEY, key);
    return FlintnConfig.from(ConfigValues.load(Optional.empty(), Map.of(), v));
  }

  /** The key the rig's configurations encrypt signing secrets with. */
  String encryptionKey() {
    return key;
  }

  Admin admin() {
    return Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
  }

  /**
   * Deletes every topic of {@code c}'s prefix, so that a long run of scenarios does not pile up
   * partitions and data on the one broker.
   */
  void drop(FlintnConfig c) throws Exception {
    List<String> names = c.topicCatalog().all().stream().map(t -> t.name()).toList();
    try (Admin admin = admin()) {
      admin.deleteTopics(names).all().get();
    }
  }

  /**
   * {@code n} active endpoints, endpoint i subscribed to type {@code bench.t<i>} at path /prefix/i.
   */
  List<Endpoint> endpoints(FlintnConfig c, int n) throws Exception {
    List<Endpoint> out = endpointObjects(c, n);
    put(c, out);
    return out;
  }

  /** Writes {@code endpoints} to the endpoints table, as the endpoint state app would. */
  void put(FlintnConfig c, List<Endpoint> endpoints) throws Exception {
    Topic<String, Endpoint> t = c.topicCatalog().endpoints();
    try (KafkaProducer<byte[], byte[]> p = producer(c)) {
      for (Endpoint e : endpoints) {
        p.send(
                new ProducerRecord<>(
                    t.name(),
                    bytes(e.endpointId().value()),
                    t.valueSerde().serializer().serialize(t.name(), e)))
            .get();
      }
    }
  }

  /** The endpoints of {@link #endpoints}, without writing them to the endpoints table. */
  List<Endpoint> endpointObjects(FlintnConfig c, int n) {
    List<Endpoint> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          endpoint(
              "ep_" + c.topics().prefix() + "_" + i,
              ACCOUNT,
              "/" + c.topics().prefix() + "/" + i,
              type(i)));
    }
    return out;
  }

  /** An active endpoint of {@code account} at {@code path} of the sink, for one event type. */
  Endpoint endpoint(String id, AccountId account, String path, String type) {
    Instant now = clock.instant();
    return new Endpoint(
        EndpointId.of(id),
        account,
        "bench " + id,
        sink.url(path),
        List.of(type),
        EndpointStatus.ACTIVE,
        null,
        SigningSecrets.of(Secret.generate()),
        now,
        now,
        1,
        now,
        null);
  }

  static String type(int i) {
    return "bench.t" + i;
  }

  /** Produces {@code n} events; event k goes to type {@code typeOf(k)}, so to one endpoint. */
  @SuppressWarnings("FutureReturnValueIgnored") // a record not written shows as missing in the run
  void events(FlintnConfig c, int n, IntUnaryOperator typeOf) throws Exception {
    String topic = c.topicCatalog().events().name();
    try (KafkaProducer<byte[], byte[]> p = producer(c)) {
      String created = clock.instant().toString();
      for (int k = 0; k < n; k++) {
        String data = "{\"order_id\":\"ord_" + k + "\",\"amount\":4200,\"currency\":\"EUR\"}";
        p.send(event(topic, c, k, typeOf.applyAsInt(k), created, data));
      }
      p.flush();
    }
  }

  /**
   * Event {@code k} of type {@code bench.t<type>} as an upstream service would produce it, keyed by
   * one of 64 account-like keys so events spread over all partitions.
   */
  static ProducerRecord<byte[], byte[]> event(
      String topic, FlintnConfig c, long k, int type, String createdAt, String dataJson) {
    return event(
        topic,
        "evt_" + c.topics().prefix() + "_" + k,
        ACCOUNT,
        type(type),
        bytes(ACCOUNT.value() + (k % 64)),
        createdAt,
        dataJson);
  }

  /** An event envelope of {@code account}, with the record key {@code key}. */
  static ProducerRecord<byte[], byte[]> event(
      String topic,
      String eventId,
      AccountId account,
      String type,
      byte[] key,
      String createdAt,
      String dataJson) {
    String json =
        "{\"event_id\":\""
            + eventId
            + "\",\"event_type\":\""
            + type
            + "\",\"account_id\":\""
            + account.value()
            + "\",\"created_at\":\""
            + createdAt
            + "\",\"data\":"
            + dataJson
            + "}";
    return new ProducerRecord<>(topic, key, bytes(json));
  }

  static KafkaProducer<byte[], byte[]> producer(FlintnConfig c) {
    var props = KafkaClients.producer(c.kafka(), "bench-producer");
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
    // a full run leaves some hundred MB of broker data otherwise
    Directories.deleteQuietly(kafka.dataDir());
  }
}
