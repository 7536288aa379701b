package com.flintn.webhooks.faults;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.common.topic.TopicCreator;
import com.flintn.webhooks.faults.ReceiverLog.Behaviour;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One fault scenario: its own topic prefix on the suite's broker, a config file the product
 * processes read, the processes themselves, endpoints created the way the admin API creates them
 * (change commands to the endpoint-state app), and readers of what the system recorded.
 */
final class FaultRig implements AutoCloseable {
  static final Path ROOT = Path.of(System.getProperty("flintn.root", "..")).toAbsolutePath();
  static final Path TARGET = ROOT.resolve("faults/target");
  static final String ACCOUNT = "acc_faults";

  private final String prefix;
  private final FlintnConfig config;
  private final TopicCatalog topics;
  private final Path configFile;
  private final KafkaProducer<byte[], byte[]> producer;
  private final List<ChildProcess> children = new ArrayList<>();
  private final Map<String, List<String>> subscriptions = new LinkedHashMap<>();
  private final HttpsReceiver receiver;

  /**
   * A rig on {@code bootstrap} with {@code partitions} partitions a topic and the product's
   * settings changed by {@code overrides}. Its receiver speaks HTTP/1.1 and answers each endpoint
   * at the path {@code /<endpoint id>}.
   */
  FaultRig(String name, String bootstrap, int partitions, Map<ConfigKey, String> overrides)
      throws IOException, InterruptedException {
    this.receiver = new HttpsReceiver();
    receiver.http1Only();
    this.prefix = name + "-" + ProcessHandle.current().pid();
    Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
    values.put(ConfigKey.KAFKA_BOOTSTRAP_SERVERS, bootstrap);
    values.put(ConfigKey.TOPICS_PREFIX, prefix);
    values.put(ConfigKey.TOPICS_PARTITIONS, String.valueOf(partitions));
    values.put(ConfigKey.TOPICS_REPLICATION_FACTOR, "1");
    values.put(ConfigKey.RETRY_TIERS, "1s,2s,3s,4s");
    values.put(ConfigKey.HTTP_TIMEOUT, "3s");
    values.put(ConfigKey.URL_GUARD_ALLOW, "127.0.0.1/32");
    values.put(ConfigKey.SECRETS_ENCRYPTION_KEY, TestEnvironment.TEST_ENCRYPTION_KEY);
    values.put(ConfigKey.HTTP_TRUSTED_CERTIFICATES, receiver.trustedCertificatePem().toString());
    values.putAll(overrides);
    this.config = FlintnConfig.from(ConfigValues.load(Optional.empty(), Map.of(), values));
    this.topics = config.topicCatalog();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      new TopicCreator(admin)
          .createAll(
              topics,
              partitions,
              Short.parseShort(values.get(ConfigKey.TOPICS_REPLICATION_FACTOR)));
    }
    Files.createDirectories(TARGET.resolve("process-config"));
    this.configFile = TARGET.resolve("process-config").resolve(prefix + ".properties");
    Files.writeString(
        configFile,
        values.entrySet().stream()
            .map(e -> e.getKey().key() + "=" + e.getValue())
            .collect(Collectors.joining("\n", "", "\n")));
    Properties p =
        KafkaClients.producer(new FlintnConfig.KafkaConfig(bootstrap), prefix + "-upstream");
    p.put("linger.ms", "5");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  String prefix() {
    return prefix;
  }

  TopicCatalog topics() {
    return topics;
  }

  /** Starts {@code processes} together, then waits until each one is healthy. */
  static void startHealthy(List<ChildProcess> processes) throws InterruptedException {
    processes.forEach(ChildProcess::start);
    for (ChildProcess c : processes) {
      c.awaitHealthy(Duration.ofSeconds(90));
    }
  }

  /** A product process on this rig's config; started by the caller. */
  ChildProcess process(String name, String... commandArgs) {
    ChildProcess c = new ChildProcess(prefix + "-" + name, configFile, freePort(), commandArgs);
    children.add(c);
    return c;
  }

  KafkaProducer<byte[], byte[]> producer() {
    return producer;
  }

  /**
   * Makes the receiver answer every request as {@code policy} chooses, and returns the log of what
   * it answered.
   */
  ReceiverLog answer(ReceiverLog.Policy policy, Function<Behaviour, MockResponse> responses) {
    ReceiverLog log = new ReceiverLog();
    log.install(receiver, policy, responses);
    return log;
  }

  /**
   * Creates an endpoint as the admin API does: a {@code create} command with a new secret, for the
   * receiver's path of that endpoint.
   */
  void createEndpoint(String id, List<String> eventTypes) {
    createEndpoint(ACCOUNT, id, eventTypes);
  }

  /** As {@link #createEndpoint(String, List)}, for an endpoint of {@code account}. */
  void createEndpoint(String account, String id, List<String> eventTypes) {
    String url = receiver.url("/" + id);
    subscriptions.put(id, List.copyOf(eventTypes));
    send(
        topics.endpointChanges(),
        id,
        new EndpointChange(
            UUID.randomUUID().toString(),
            EndpointChange.Type.CREATE,
            EndpointId.of(id),
            AccountId.of(account),
            "faults " + id,
            url,
            eventTypes,
            Secret.generate(),
            null,
            Instant.now()));
  }

  void changeStatus(String id, EndpointChange.Type type) {
    send(
        topics.endpointChanges(),
        id,
        EndpointChange.of(
            UUID.randomUUID().toString(),
            type,
            EndpointId.of(id),
            AccountId.of(ACCOUNT),
            Instant.now()));
  }

  /** Waits until the endpoints table holds every created endpoint in {@code status}. */
  void awaitEndpoints(EndpointStatus status, Duration timeout) throws InterruptedException {
    awaitEndpoints(subscriptions.keySet(), status, timeout);
  }

  /** Waits until the endpoints table holds each of {@code ids} in {@code status}. */
  void awaitEndpoints(Collection<String> ids, EndpointStatus status, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, EndpointStatus> seen = Map.of();
    while (System.nanoTime() < deadline) {
      Map<String, EndpointStatus> now = endpointStatuses();
      seen = now;
      if (ids.stream().allMatch(id -> now.get(id) == status)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("endpoints not all " + status + " in " + timeout + ": " + seen);
  }

  Map<String, EndpointStatus> endpointStatuses() {
    Map<String, EndpointStatus> out = new HashMap<>();
    for (Endpoint e : values(topics.endpoints())) {
      if (e != null) {
        out.put(e.endpointId().value(), e.status());
      }
    }
    return out;
  }

  /** Endpoint id to the event types it subscribes to, as created. */
  Map<String, List<String>> subscriptions() {
    return subscriptions;
  }

  <K, V> void send(Topic<K, V> topic, K key, V value) {
    try {
      producer
          .send(
              new ProducerRecord<>(
                  topic.name(),
                  topic.keySerde().serializer().serialize(topic.name(), key),
                  topic.valueSerde().serializer().serialize(topic.name(), value)))
          .get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot produce to " + topic.name(), e);
    }
  }

  <V> List<V> values(Topic<?, V> topic) {
    List<V> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(topic.name())) {
      out.add(
          r.value() == null
              ? null
              : topic.valueSerde().deserializer().deserialize(topic.name(), r.value()));
    }
    return out;
  }

  /** The consumer group the dispatchers of this rig share. */
  String dispatcherGroup() {
    return prefix + ".dispatcher";
  }

  /** The offsets {@code group} has committed, by partition (none: never committed). */
  Map<TopicPartition, Long> committedOffsets(String group) {
    try (Admin admin =
        Admin.create(Map.of("bootstrap.servers", config.kafka().bootstrapServers()))) {
      Map<TopicPartition, Long> out = new HashMap<>();
      admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS)
          .forEach(
              (tp, o) -> {
                if (o != null) {
                  out.put(tp, o.offset());
                }
              });
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the offsets of " + group, e);
    }
  }

  /**
   * Records of {@code topic} at or past what {@code group} committed: the work a new owner of the
   * partitions does (again).
   */
  List<ConsumerRecord<byte[], byte[]>> uncommitted(
      String topic, Map<TopicPartition, Long> offsets) {
    return readAll(topic).stream()
        .filter(
            r -> r.offset() >= offsets.getOrDefault(new TopicPartition(topic, r.partition()), 0L))
        .toList();
  }

  /** Every committed record now in {@code topic}, from the beginning of each partition. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(4 << 20));
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo pi : c.partitionsFor(topic, Duration.ofSeconds(30))) {
        parts.add(new TopicPartition(topic, pi.partition()));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        boolean done = true;
        for (TopicPartition tp : parts) {
          done &= c.position(tp) >= end.get(tp);
        }
        if (done) {
          return out;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end in 60 s");
        }
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (ChildProcess c : children) {
      c.close();
    }
    producer.close(Duration.ofSeconds(5));
    receiver.close();
  }
}
