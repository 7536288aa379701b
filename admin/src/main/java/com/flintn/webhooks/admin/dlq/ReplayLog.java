package com.flintn.webhooks.admin.dlq;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.topic.TopicFollower;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Which dead letters were replayed, as the admin process knows it: {@code webhooks.dlq.replays}
 * (committed records only) followed from the beginning into memory, so that a request looks a
 * position up instead of reading the whole log. The log is compacted and kept 35 days, which bounds
 * what is held. {@link #sync} waits until the log as it is now has been read, for a replay that
 * must not repeat what another process replayed a moment ago. Thread safe.
 */
public final class ReplayLog implements AutoCloseable {
  private final TopicFollower follower;
  private final Set<String> replayed = ConcurrentHashMap.newKeySet();
  private final Map<TopicPartition, Long> positions = new HashMap<>(); // guarded by itself
  private volatile List<TopicPartition> partitions = List.of();
  private final Admin admin;

  public ReplayLog(KafkaConfig kafka, String topic) {
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.admin = Admin.create(KafkaClients.admin(kafka, "dlq-replay-log"));
    this.follower =
        new TopicFollower(
            "dlq-replay-log-" + topic,
            p,
            topic,
            new TopicFollower.Hooks() {
              @Override
              public void start(Consumer<byte[], byte[]> c, List<TopicPartition> parts) {
                partitions = List.copyOf(parts);
                c.seekToBeginning(parts);
              }

              @Override
              public void record(ConsumerRecord<byte[], byte[]> r) {
                if (r.key() == null) {
                  return;
                }
                String position = new String(r.key(), StandardCharsets.UTF_8);
                if (r.value() == null) {
                  replayed.remove(position);
                } else {
                  replayed.add(position);
                }
              }

              @Override
              public void afterPoll(Consumer<byte[], byte[]> c, List<TopicPartition> parts) {
                Map<TopicPartition, Long> now = new HashMap<>();
                for (TopicPartition tp : parts) {
                  now.put(tp, c.position(tp));
                }
                synchronized (positions) {
                  positions.putAll(now);
                  positions.notifyAll();
                }
              }
            });
  }

  public void start() {
    follower.start();
  }

  /** Whether the dead letter at {@code position} ({@code topic/partition/offset}) was replayed. */
  public boolean contains(String position) {
    return replayed.contains(position);
  }

  /**
   * Waits until every replay note committed before this call has been read.
   *
   * @return false if that took longer than {@code timeout} or the broker did not answer
   */
  public boolean sync(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (partitions.isEmpty()) {
      if (System.nanoTime() > deadline || !follower.isReading(Duration.ofMinutes(2))) {
        return false;
      }
      Thread.sleep(10);
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> end = new HashMap<>();
    try {
      admin
          .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .all()
          .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
          .forEach((tp, info) -> end.put(tp, info.offset()));
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
    synchronized (positions) {
      while (!reached(end)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(positions, left);
      }
    }
    return true;
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      Long at = positions.get(e.getKey());
      if (at == null || at < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    follower.close();
    admin.close(Duration.ofSeconds(5));
  }
}
