package com.flintn.webhooks.endpointstate;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.io.Directories;
import com.flintn.webhooks.common.json.JsonSerde;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.metrics.Health;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.common.topic.TopicSpec;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The endpoint-state Kafka Streams app (docs/design.md §1, §5): change commands and attempt records
 * in, the compacted endpoints table, status events and operational webhooks (§4.1) out, exactly
 * once. The only writer of {@code webhooks.endpoints}. Lifecycle: {@link #start()} once, then
 * {@link #close()}.
 */
public final class EndpointStateApp implements AutoCloseable {
  private final KafkaStreams streams;

  /**
   * Streams' state directory: only its lock and checkpoint files, since the stores are in memory
   * and restored from their changelog. One per instance, so that several on one host never share a
   * lock; removed on {@link #close()}.
   */
  private final Path stateDir;

  public EndpointStateApp(FlintnConfig config) {
    this(config, new SimpleMeterRegistry());
  }

  /** An app that counts disabled endpoints in {@code registry} and reports its consumer lag. */
  public EndpointStateApp(FlintnConfig config, MeterRegistry registry) {
    config.secrets().requireCipher(); // refuse to start without the key, before any I/O
    this.stateDir = newStateDir();
    this.streams =
        new KafkaStreams(
            topology(config.topicCatalog(), config.secrets().rotationGrace(), registry),
            properties(config, stateDir));
    Gauge.builder(WebhookMetrics.CONSUMER_LAG, this, EndpointStateApp::lag)
        .description("Records not yet consumed on the assigned partitions")
        .tag("group", "endpoint-state")
        .register(registry);
  }

  /** Records of changes and attempts not yet read by the main consumer. */
  double lag() {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName n = e.getKey();
      String client = n.tags().getOrDefault("client-id", "");
      if (n.group().equals("consumer-fetch-manager-metrics")
          && n.name().equals("records-lag")
          && n.tags().containsKey("partition")
          && !client.contains("restore")
          && e.getValue().metricValue() instanceof Double d
          && !d.isNaN()) {
        total += d;
      }
    }
    return total;
  }

  /** Adds this app's check: Streams is running or rebalancing. */
  public void addHealthChecks(Health health) {
    health.add(
        "endpoint_state",
        () -> {
          KafkaStreams.State s = streams.state();
          return s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING
              ? Health.Status.up("Kafka Streams " + s)
              : Health.Status.down("Kafka Streams " + s);
        });
    health.addLiveness(
        "endpoint_state_alive",
        () -> {
          KafkaStreams.State s = streams.state();
          return s == KafkaStreams.State.ERROR
                  || s == KafkaStreams.State.PENDING_ERROR
                  || s == KafkaStreams.State.NOT_RUNNING
              ? Health.Status.down("Kafka Streams " + s + ": it does not recover by itself")
              : Health.Status.up("Kafka Streams " + s);
        });
  }

  public static String applicationId(FlintnConfig config) {
    return config.topics().prefix() + ".endpoint-state";
  }

  /** The topology, also for {@code TopologyTestDriver}. */
  public static Topology topology(TopicCatalog topics, Duration rotationGrace) {
    return topology(topics, rotationGrace, new SimpleMeterRegistry());
  }

  /** The topology, counting disabled endpoints in {@code registry}. */
  @SuppressWarnings("unchecked")
  public static Topology topology(
      TopicCatalog topics, Duration rotationGrace, MeterRegistry registry) {
    WebhookMetrics.endpointsDisabled(registry, EndpointTransitions.ATTEMPTS_EXHAUSTED);
    WebhookMetrics.endpointsDisabled(registry, EndpointTransitions.REQUESTED);
    Topology t = new Topology();
    t.addSource(
        "changes",
        Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(),
        topics.endpointChanges().name());
    t.addSource(
        "attempts",
        Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(),
        topics.attempts().name());
    t.addProcessor(
        "endpoint-state",
        () -> new EndpointStateProcessor(topics, rotationGrace, registry),
        "changes",
        "attempts");
    t.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(EndpointStateProcessor.STORE),
            Serdes.String(),
            topics.endpoints().valueSerde()),
        "endpoint-state");
    // Each endpoint's warning level (docs/design.md §4.1): one small record per endpoint that has
    // warned, written only when the level changes.
    t.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(EndpointStateProcessor.HEALTH_STORE),
            Serdes.String(),
            new JsonSerde<>(FailureLevels.Health.class)),
        "endpoint-state");
    t.addSink(
        EndpointStateProcessor.TO_ENDPOINTS,
        topics.endpoints().name(),
        Serdes.String().serializer(),
        (Serializer<Object>) (Serializer<?>) topics.endpoints().valueSerde().serializer(),
        "endpoint-state");
    t.addSink(
        EndpointStateProcessor.TO_EVENTS,
        topics.endpointEvents().name(),
        Serdes.String().serializer(),
        (Serializer<Object>) (Serializer<?>) topics.endpointEvents().valueSerde().serializer(),
        "endpoint-state");
    // Operational webhooks: events like any upstream service's, keyed by account.
    t.addSink(
        EndpointStateProcessor.TO_WEBHOOK_EVENTS,
        topics.events().name(),
        Serdes.String().serializer(),
        (Serializer<Object>) (Serializer<?>) Serdes.ByteArray().serializer(),
        "endpoint-state");
    return t;
  }

  static Properties properties(FlintnConfig config, Path stateDir) {
    Properties p = KafkaClients.streams(config.kafka());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(config));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.topics().replicationFactor());
    // its changelog is as replicated as the catalogue's topics, and as strict about acks
    p.put(
        StreamsConfig.topicPrefix(TopicSpec.MIN_INSYNC_REPLICAS),
        String.valueOf(TopicSpec.minInsyncReplicas(config.topics().replicationFactor())));
    p.put("processing.exception.handler.global.enabled", "true");
    // A killed instance's tasks move after 10 s, not Kafka's default 45 s (see KafkaClients).
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
        KafkaClients.SESSION_TIMEOUT_MS);
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
        KafkaClients.HEARTBEAT_INTERVAL_MS);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return p;
  }

  private static Path newStateDir() {
    try {
      return Files.createTempDirectory("flintn-endpoint-state");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void start() {
    streams.start();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    // well inside shutdown.timeout; the directory stays if a thread did not stop, as it may still
    // write there
    if (streams.close(Duration.ofSeconds(10))) {
      Directories.deleteQuietly(stateDir);
    }
  }

  Path stateDir() {
    return stateDir;
  }
}
