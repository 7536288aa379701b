package com.flintn.webhooks.admin.attempts;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicFollower;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
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
  private final TopicFollower follower;
  private final int perEndpoint;
  private final int maxEndpoints;
  private final Map<EndpointId, ArrayDeque<AttemptRecord>> byEndpoint;

  public AttemptLog(
      KafkaConfig kafka,
      Topic<String, AttemptRecord> topic,
      int perEndpoint,
      int maxEndpoints,
      long backfill) {
    this.topic = topic;
    this.perEndpoint = perEndpoint;
    this.maxEndpoints = maxEndpoints;
    this.byEndpoint =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<EndpointId, ArrayDeque<AttemptRecord>> e) {
            return size() > AttemptLog.this.maxEndpoints;
          }
        };
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    this.follower =
        new TopicFollower(
            "admin-attempt-log",
            p,
            topic.name(),
            new TopicFollower.Hooks() {
              @Override
              public void start(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
                Map<TopicPartition, Long> begin = c.beginningOffsets(partitions);
                Map<TopicPartition, Long> end = c.endOffsets(partitions);
                for (TopicPartition tp : partitions) {
                  c.seek(
                      tp,
                      Math.max(
                          Objects.requireNonNull(begin.get(tp), tp.toString()),
                          Objects.requireNonNull(end.get(tp), tp.toString()) - backfill));
                }
              }

              @Override
              public void record(ConsumerRecord<byte[], byte[]> r) {
                read(r);
              }
            });
  }

  public void start() {
    follower.start();
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

  private void read(ConsumerRecord<byte[], byte[]> r) {
    AttemptRecord a;
    try {
      a = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      log.warn("skipping unreadable attempt record at {}@{}", r.partition(), r.offset());
      return;
    }
    if (a != null) {
      add(slim(a));
    }
  }

  /** What the log answers with, without the response excerpt, so memory stays bounded. */
  private static AttemptRecord slim(AttemptRecord a) {
    String detail =
        a.detail() != null && a.detail().length() > MAX_DETAIL
            ? a.detail().substring(0, MAX_DETAIL)
            : a.detail();
    return new AttemptRecord(
        a.deliveryId(),
        a.eventId(),
        a.eventType(),
        a.endpointId(),
        a.accountId(),
        a.attempt(),
        a.startedAt(),
        a.durationMs(),
        a.status(),
        a.error(),
        detail,
        null,
        a.outcome());
  }

  private static final int MAX_DETAIL = 200;

  @Override
  public void close() {
    follower.close();
  }
}
