package com.flintn.webhooks.testkit;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.common.topic.TopicCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A test's own slice of the shared broker: a unique topic prefix with every topic created, a
 * configuration pointing at it, and helpers to produce and read records.
 */
public final class TestEnvironment implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  /** The secrets key of every test environment (base64 of 32 fixed bytes; tests only). */
  public static final String TEST_ENCRYPTION_KEY = "dGVzdC1rZXktZm9yLWZsaW50bi13ZWJob29rcy0zMmI=";

  private final String prefix;
  private final FlintnConfig config;
  private final TopicCatalog topics;
  private final KafkaProducer<byte[], byte[]> producer;

  /** Sends of sendAsync not yet checked by {@link #flush()}. */
  private final Queue<Future<RecordMetadata>> pending = new ConcurrentLinkedQueue<>();

  private TestEnvironment(String prefix, FlintnConfig config) {
    this.prefix = prefix;
    this.config = config;
    this.topics = config.topicCatalog();
    this.producer =
        new KafkaProducer<>(
            KafkaClients.producer(config.kafka(), prefix + "-test-producer"),
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  /** Retry tiers short enough for a delivery to use all its attempts within a test. */
  public static final String FAST_RETRY_TIERS = "200ms,400ms,800ms,1600ms";

  /** As {@link #create} with 2 partitions, for {@code receiver}, with {@link #FAST_RETRY_TIERS}. */
  public static TestEnvironment withFastRetries(String name, HttpsReceiver receiver)
      throws InterruptedException {
    return create(name, 2, Optional.of(receiver), Map.of(ConfigKey.RETRY_TIERS, FAST_RETRY_TIERS));
  }

  /**
   * A new prefix with all topics created ({@code partitions} each) and a config for it; {@code
   * overrides} replace the test defaults (which trust {@code receiver} and allow loopback).
   */
  public static TestEnvironment create(
      String name,
      int partitions,
      Optional<HttpsReceiver> receiver,
      Map<ConfigKey, String> overrides)
      throws InterruptedException {
    String prefix =
        "t" + COUNTER.incrementAndGet() + "-" + name + "-" + ProcessHandle.current().pid();
    Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
    values.put(ConfigKey.KAFKA_BOOTSTRAP_SERVERS, SharedKafka.bootstrapServers());
    values.put(ConfigKey.TOPICS_PREFIX, prefix);
    values.put(ConfigKey.TOPICS_PARTITIONS, String.valueOf(partitions));
    values.put(ConfigKey.TOPICS_REPLICATION_FACTOR, "1");
    values.put(ConfigKey.RETRY_TIERS, "500ms,1s,2s,3s");
    values.put(ConfigKey.HTTP_TIMEOUT, "5s");
    values.put(ConfigKey.URL_GUARD_ALLOW, "127.0.0.1/32");
    values.put(ConfigKey.SECRETS_ENCRYPTION_KEY, TEST_ENCRYPTION_KEY);
    receiver.ifPresent(
        r -> values.put(ConfigKey.HTTP_TRUSTED_CERTIFICATES, r.trustedCertificatePem().toString()));
    values.putAll(overrides);
    FlintnConfig config = FlintnConfig.from(ConfigValues.load(Optional.empty(), Map.of(), values));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      new TopicCreator(admin)
          .createAll(config.topicCatalog(), partitions, config.topics().replicationFactor());
    }
    return new TestEnvironment(prefix, config);
  }

  public String prefix() {
    return prefix;
  }

  public FlintnConfig config() {
    return config;
  }

  public TopicCatalog topics() {
    return topics;
  }

  public void send(String topic, byte[] key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot produce to " + topic, e);
    }
  }

  /** Produces without waiting for each acknowledgement; {@link #flush()} waits for all. */
  public void sendAsync(String topic, byte[] key, byte[] value) {
    sendAsync(new ProducerRecord<>(topic, key, value));
  }

  /** Produces a prepared record (with headers) without waiting. */
  public void sendAsync(ProducerRecord<byte[], byte[]> record) {
    pending.add(producer.send(record));
  }

  /** Waits for every record sent so far; fails if one sent by sendAsync was not written. */
  public void flush() {
    producer.flush();
    for (Future<RecordMetadata> f = pending.poll(); f != null; f = pending.poll()) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while producing", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("a record sent without waiting was not written", e);
      }
    }
  }

  public <K, V> void send(Topic<K, V> topic, K key, V value) {
    send(
        topic.name(),
        topic.keySerde().serializer().serialize(topic.name(), key),
        topic.valueSerde().serializer().serialize(topic.name(), value));
  }

  public void putEndpoint(Endpoint e) {
    send(topics.endpoints(), e.endpointId().value(), e);
  }

  /** Every record now in {@code topic}, read from the beginning of each partition. */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Properties p = KafkaClients.reader(config.kafka());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo pi : c.partitionsFor(topic)) {
        parts.add(new TopicPartition(topic, pi.partition()));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        boolean done = true;
        for (TopicPartition tp : parts) {
          done &= c.position(tp) >= end.getOrDefault(tp, 0L);
        }
        if (done) {
          break;
        }
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }

  /** Values of {@code topic} decoded with its serde. */
  public <V> List<V> readValues(Topic<?, V> topic) {
    return readAll(topic.name()).stream()
        .map(r -> topic.valueSerde().deserializer().deserialize(topic.name(), r.value()))
        .toList();
  }

  public Set<String> topicNames() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      return admin.listTopics().names().get();
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
