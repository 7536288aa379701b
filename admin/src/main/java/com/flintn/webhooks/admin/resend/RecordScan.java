package com.flintn.webhooks.admin.resend;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.kafka.Offsets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;

/**
 * Bounded reads of a topic for resend and recover: from the offsets Kafka finds for a time ({@code
 * offsetsForTimes}) up to the end offsets seen when the read began, and never more than a budget of
 * records. Not a group member; commits nothing; reads committed records only. Not thread safe.
 */
final class RecordScan implements AutoCloseable {
  /** What one read did: records fetched, and whether it stopped at its budget. */
  record Stats(long read, boolean budgetSpent) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Duration timeout;

  RecordScan(KafkaConfig kafka, Duration timeout) {
    this.timeout = timeout;
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "admin-resend-scan");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  List<TopicPartition> partitions(String topic) {
    return consumer.partitionsFor(topic).stream()
        .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
        .toList();
  }

  /**
   * The one partition of {@code topic} that records keyed {@code key} go to (Kafka's default
   * partitioner, which the clients may not override: docs/design.md §10.1).
   */
  TopicPartition partitionOf(String topic, String key) {
    int n = partitions(topic).size();
    int p = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % n;
    return new TopicPartition(topic, p);
  }

  /**
   * For each partition, the range {@code [start, end)} of the records written at or after {@code
   * from} and before {@code to} (the end offset now when {@code to} is null).
   */
  Map<TopicPartition, long[]> ranges(
      List<TopicPartition> parts, Instant from, @Nullable Instant to) {
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
    Map<TopicPartition, Long> end = consumer.endOffsets(parts);
    Map<TopicPartition, Long> start = offsetsAt(parts, from, begin, end);
    Map<TopicPartition, Long> stop = to == null ? end : offsetsAt(parts, to, begin, end);
    Map<TopicPartition, long[]> ranges = new HashMap<>();
    for (TopicPartition tp : parts) {
      long s = Math.max(Offsets.of(start, tp), Offsets.of(begin, tp));
      long e = Offsets.of(stop, tp);
      if (s < e) {
        ranges.put(tp, new long[] {s, e});
      }
    }
    return ranges;
  }

  private Map<TopicPartition, Long> offsetsAt(
      List<TopicPartition> parts,
      Instant at,
      Map<TopicPartition, Long> begin,
      Map<TopicPartition, Long> end) {
    Map<TopicPartition, Long> query = new HashMap<>();
    long ms = Math.max(0, at.toEpochMilli());
    parts.forEach(tp -> query.put(tp, ms));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
    Map<TopicPartition, Long> out = new HashMap<>();
    for (TopicPartition tp : parts) {
      OffsetAndTimestamp o = found.get(tp);
      out.put(tp, o != null ? Math.max(o.offset(), Offsets.of(begin, tp)) : Offsets.of(end, tp));
    }
    return out;
  }

  /**
   * Reads {@code ranges} (offset order within a partition) and calls {@code sink} for each record
   * until it answers false, {@code budget} records are read, or every range is read.
   *
   * @throws org.apache.kafka.common.errors.TimeoutException when the broker does not answer
   */
  Stats read(
      Map<TopicPartition, long[]> ranges,
      long budget,
      Predicate<ConsumerRecord<byte[], byte[]>> sink) {
    if (ranges.isEmpty()) {
      return new Stats(0, false);
    }
    Map<TopicPartition, Long> end = new HashMap<>();
    ranges.forEach((tp, r) -> end.put(tp, r[1]));
    consumer.assign(ranges.keySet());
    consumer.resume(ranges.keySet());
    ranges.forEach((tp, r) -> consumer.seek(tp, r[0]));
    long read = 0;
    long lastProgress = System.nanoTime();
    end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
    while (!end.isEmpty()) {
      consumer.pause(ranges.keySet().stream().filter(tp -> !end.containsKey(tp)).toList());
      var records = consumer.poll(Duration.ofMillis(200));
      if (!records.isEmpty()) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > timeout.toNanos()) {
        throw new org.apache.kafka.common.errors.TimeoutException(
            "no records for " + timeout.toSeconds() + " s");
      }
      for (ConsumerRecord<byte[], byte[]> r : records) {
        Long last = end.get(new TopicPartition(r.topic(), r.partition()));
        if (last == null || r.offset() >= last) {
          continue;
        }
        read++;
        if (!sink.test(r)) {
          return new Stats(read, false);
        }
        if (read >= budget) {
          return new Stats(read, true);
        }
      }
      end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
    }
    return new Stats(read, false);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
