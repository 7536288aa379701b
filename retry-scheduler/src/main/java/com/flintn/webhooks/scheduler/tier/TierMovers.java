package com.flintn.webhooks.scheduler.tier;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import com.flintn.webhooks.common.time.Durations;
import com.flintn.webhooks.common.topic.TopicCatalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Wires the mover to its consumer, transactional producer and thread. */
public final class TierMovers {
  /**
   * A transaction left open by a crashed instance blocks read_committed readers of the due topic
   * until it times out; keep that short (moves are small and quick).
   */
  static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(10);

  private final DueRetryMover mover;
  private final Thread thread;

  public TierMovers(
      KafkaConfig kafka, TopicCatalog topics, String groupId, Clock clock, MeterRegistry registry) {
    Map<String, Duration> delays = new LinkedHashMap<>();
    for (int i = 0; i < topics.tiers().size(); i++) {
      delays.put(topics.retryTier(i).name(), topics.tiers().get(i));
    }
    String transactionalId = groupId + "-" + UUID.randomUUID();
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerProperties(kafka, groupId),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.mover =
        new DueRetryMover(
            consumer,
            () -> {
              KafkaProducer<byte[], byte[]> p =
                  new KafkaProducer<>(
                      producerProperties(kafka, transactionalId),
                      new ByteArraySerializer(),
                      new ByteArraySerializer());
              p.initTransactions();
              return (Producer<byte[], byte[]>) p;
            },
            delays,
            topics.deliveriesDue().name(),
            clock);
    // one counter and timer per tier, made (at zero) before the first move and kept
    Map<Duration, Counter> moved = new HashMap<>();
    Map<Duration, Timer> lateness = new HashMap<>();
    for (Duration delay : topics.tiers()) {
      moved.put(delay, WebhookMetrics.retriesMoved(registry, Durations.format(delay)));
      lateness.put(delay, WebhookMetrics.retryLateness(registry, Durations.format(delay)));
    }
    mover.listener(
        (topic, delay, late) -> {
          Objects.requireNonNull(moved.get(delay), topic).increment();
          Objects.requireNonNull(lateness.get(delay), topic).record(Duration.ofMillis(late));
        });
    this.thread = Thread.ofPlatform().name("retry-scheduler-poll").unstarted(mover);
  }

  public void start() {
    thread.start();
  }

  public long moved() {
    return mover.moved();
  }

  /** Whether the poll loop is still running. */
  public boolean isRunning() {
    return thread.isAlive();
  }

  public void close(boolean graceful) {
    mover.stop(!graceful);
    try {
      thread.join(Duration.ofSeconds(graceful ? 30 : 5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Properties consumerProperties(KafkaConfig kafka, String groupId) {
    Properties p = KafkaClients.consumer(kafka, groupId);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
    // A partition resumed when its head falls due is fetched only after the fetch in flight for
    // the others returns; a short broker wait keeps that (the scheduler's lateness) small.
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    // Bounded fetch buffers: a backlog of millions waiting in the tiers costs no heap here.
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(4 * 1024 * 1024));
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(512 * 1024));
    p.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    return p;
  }

  static Properties producerProperties(KafkaConfig kafka, String transactionalId) {
    Properties p = KafkaClients.producer(kafka, transactionalId);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return p;
  }
}
