package com.flintn.webhooks.admin.attempts;

import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.topic.Topic;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most recent delivery attempts per endpoint, read from {@code webhooks.attempts}: at start the
 * last {@code backfill} records of each partition, then everything new. Memory is bounded: at most
 * {@code perEndpoint} attempts for each of at most {@code maxEndpoints} endpoints, the endpoint
 * heard from least recently dropped first. A record that cannot be read is skipped. Thread safe:
 * guarded by {@code this}.
 */
public final class AttemptLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AttemptLog.class);

  private final Topic<String, AttemptRecord> topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final int perEndpoint;
  private final int maxEndpoints;
  private final long backfill;
  private final Map<EndpointId, ArrayDeque<AttemptRecord>> byEndpoint;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;

  public AttemptLog(
      String bootstrapServers,
      Topic<String, AttemptRecord> topic,
      int perEndpoint,
      int maxEndpoints,
      long backfill) {
    this.topic = topic;
    this.perEndpoint = perEndpoint;
    this.maxEndpoints = maxEndpoints;
    this.backfill = backfill;
    this.byEndpoint =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<EndpointId, ArrayDeque<AttemptRecord>> e) {
            return size() > AttemptLog.this.maxEndpoints;
          }
        };
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "admin-attempt-log");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = Thread.ofPlatform().name("admin-attempt-log").daemon().unstarted(this::run);
  }

  public void start() {
    thread.start();
  }

  boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Up to {@code limit} attempts of {@code endpoint}, newest first by start time (records of
   * different partitions arrive in no particular order).
   */
  public List<AttemptRecord> recent(EndpointId endpoint, int limit) {
    List<AttemptRecord> all;
    synchronized (this) {
      ArrayDeque<AttemptRecord> q = byEndpoint.get(endpoint);
      if (q == null) {
        return List.of();
      }
      all = new ArrayList<>(q);
    }
    all.sort(Comparator.comparing(AttemptRecord::startedAt).reversed());
    return all.subList(0, Math.min(limit, all.size()));
  }

  private synchronized void add(AttemptRecord a) {
    ArrayDeque<AttemptRecord> q =
        byEndpoint.computeIfAbsent(a.endpointId(), k -> new ArrayDeque<>(perEndpoint));
    if (q.size() == perEndpoint) {
      q.removeFirst();
    }
    q.addLast(a);
  }

  private void run() {
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name(), Duration.ofSeconds(60)).stream()
              .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
              .toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      for (TopicPartition tp : partitions) {
        consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - backfill));
      }
      ready.countDown();
      while (running) {
        try {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            read(r);
          }
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          log.error("attempt log poll failed, retrying: {}", e.toString());
          Thread.sleep(1000);
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("attempt log could not start: {}", e.toString());
    } finally {
      consumer.close();
    }
  }

  private void read(ConsumerRecord<byte[], byte[]> r) {
    AttemptRecord a;
    try {
      a = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      log.warn("skipping unreadable attempt record at {}@{}", r.partition(), r.offset());
      return;
    }
    if (a != null) {
      add(a);
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
