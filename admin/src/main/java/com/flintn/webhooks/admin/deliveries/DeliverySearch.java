package com.flintn.webhooks.admin.deliveries;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.kafka.Offsets;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicFollower;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DeliveryIndex} of the whole attempts topic: at start the admin reads every partition
 * from its beginning up to the end offsets of that moment (the index is <em>loading</em>), then
 * follows new records. While loading, {@link #progress()} says how far it got, so that the API
 * answers 503 instead of a partial result. Each record is parsed once, for the index and for {@code
 * alsoTo} (the admin's recent-attempts log): one reader of the attempts topic per admin.
 */
public final class DeliverySearch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeliverySearch.class);

  /** How far the load got. */
  public record Progress(boolean complete, long read, long total) {
    /** Percent of the records present at start that are read, 0 to 100. */
    public int percent() {
      return total == 0 ? 100 : (int) Math.min(100, read * 100 / total);
    }
  }

  private final Topic<String, AttemptRecord> topic;
  private final DeliveryIndex index;
  private final TopicFollower follower;
  private final Clock clock;
  private volatile Progress progress = new Progress(false, 0, 0);
  private Map<TopicPartition, Long> begin = Map.of();
  private Map<TopicPartition, Long> target = Map.of();
  private Instant startedAt = Instant.EPOCH;
  private final java.util.function.Consumer<AttemptRecord> alsoTo;

  public DeliverySearch(
      KafkaConfig kafka, Topic<String, AttemptRecord> topic, int maxAttempts, Clock clock) {
    this(kafka, topic, maxAttempts, clock, a -> {});
  }

  public DeliverySearch(
      KafkaConfig kafka,
      Topic<String, AttemptRecord> topic,
      int maxAttempts,
      Clock clock,
      java.util.function.Consumer<AttemptRecord> alsoTo) {
    this.topic = topic;
    this.alsoTo = alsoTo;
    this.index = new DeliveryIndex(maxAttempts);
    this.clock = clock;
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    this.follower =
        new TopicFollower(
            "admin-delivery-search",
            p,
            topic.name(),
            new TopicFollower.Hooks() {
              @Override
              public void start(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
                startedAt = clock.instant();
                begin = c.beginningOffsets(partitions);
                target = c.endOffsets(partitions);
                c.seekToBeginning(partitions);
                long total = 0;
                for (TopicPartition tp : partitions) {
                  total += Offsets.of(target, tp) - Offsets.of(begin, tp);
                }
                progress = new Progress(false, 0, total);
              }

              @Override
              public void record(ConsumerRecord<byte[], byte[]> r) {
                read(r);
              }

              @Override
              public void afterPoll(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
                track(c, partitions);
              }
            });
  }

  public void start() {
    follower.start();
  }

  public DeliveryIndex index() {
    return index;
  }

  public Progress progress() {
    return progress;
  }

  /** Whether the follower reads: its thread runs and polled within {@code max}. */
  public boolean isReading(Duration max) {
    return follower.isReading(max);
  }

  private void read(ConsumerRecord<byte[], byte[]> r) {
    AttemptRecord a;
    try {
      a = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      index.skip();
      log.warn(
          "delivery search skips an unreadable attempt record at {}@{}", r.partition(), r.offset());
      return;
    }
    if (a != null) {
      index.add(a);
      alsoTo.accept(a);
    }
  }

  private void track(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
    Progress p = progress;
    if (p.complete()) {
      return;
    }
    long read = 0;
    boolean done = true;
    for (TopicPartition tp : partitions) {
      long at = c.position(tp);
      long end = Offsets.of(target, tp);
      read += Math.min(at, end) - Offsets.of(begin, tp);
      done &= at >= end;
    }
    progress = new Progress(done, Math.max(0, read), p.total());
    if (done) {
      DeliveryIndex.Stats s = index.stats();
      log.info(
          "delivery search loaded {} attempts of {} deliveries in {} ms ({} MB)",
          s.attempts(),
          s.deliveries(),
          Duration.between(startedAt, clock.instant()).toMillis(),
          s.bytes() / (1024 * 1024));
    }
  }

  @Override
  public void close() {
    follower.close();
  }
}
