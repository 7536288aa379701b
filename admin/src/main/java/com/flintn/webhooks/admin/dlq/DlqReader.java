package com.flintn.webhooks.admin.dlq;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.kafka.Offsets;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.common.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code webhooks.dlq} once, from its start or, with a {@code since} filter, from the offsets
 * Kafka finds for that time ({@code offsetsForTimes}), up to the end offsets it had when the scan
 * began. Not a group member: it commits nothing and disturbs no one. A record that cannot be read
 * is counted and skipped.
 */
public final class DlqReader implements AutoCloseable {
  /** What one scan did. {@code recordsRead} counts every record fetched, matching or not. */
  public record Stats(long recordsRead, long matched, long unreadable) {}

  private final Topic<String, Delivery> topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Duration apiTimeout;

  public DlqReader(KafkaConfig kafka, Topic<String, Delivery> topic, Duration apiTimeout) {
    this.topic = topic;
    this.apiTimeout = apiTimeout;
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dlq-reader");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    // A range that starts where retention has just deleted reads from what is left, not from
    // the end.
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(apiTimeout.toMillis()));
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(apiTimeout.toMillis()));
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Calls {@code sink} for every dead letter that {@code filter} selects, in partition order.
   * {@code stop} is asked between polls.
   *
   * @throws org.apache.kafka.common.errors.TimeoutException when the broker does not answer
   */
  public Stats scan(DlqFilter filter, Consumer<DeadLetter> sink, BooleanSupplier stop) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic.name()).stream()
            .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
            .toList();
    consumer.assign(partitions);
    Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
    if (filter.since().isPresent()) {
      Map<TopicPartition, Long> at = new HashMap<>();
      partitions.forEach(tp -> at.put(tp, filter.since().get().toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(at);
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp o = found.get(tp);
        consumer.seek(tp, o != null ? o.offset() : Offsets.of(end, tp));
      }
    } else {
      consumer.seekToBeginning(partitions);
    }
    return drain(partitions, end, filter, sink, stop);
  }

  /** The topic's partitions. */
  public List<TopicPartition> partitions() {
    return consumer.partitionsFor(topic.name()).stream()
        .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
        .toList();
  }

  /** The offset each partition ends at now (the next record's). */
  public Map<TopicPartition, Long> endOffsets(List<TopicPartition> partitions) {
    return new HashMap<>(consumer.endOffsets(partitions));
  }

  /**
   * Where each partition's records at or after {@code since} start, or its first record without it;
   * a partition with nothing that late starts at its end.
   */
  public Map<TopicPartition, Long> startOffsets(
      List<TopicPartition> partitions, Optional<Instant> since) {
    Map<TopicPartition, Long> start = new HashMap<>(consumer.beginningOffsets(partitions));
    if (since.isPresent()) {
      Map<TopicPartition, Long> at = new HashMap<>();
      partitions.forEach(tp -> at.put(tp, since.get().toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(at);
      Map<TopicPartition, Long> end = endOffsets(partitions);
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp o = found.get(tp);
        start.put(
            tp, o != null ? Math.max(o.offset(), Offsets.of(start, tp)) : Offsets.of(end, tp));
      }
    }
    return start;
  }

  /**
   * Reads, on each partition of {@code ranges}, the records from offset {@code [0]} up to (not
   * including) {@code [1]}, and calls {@code sink} for every dead letter {@code filter} selects, in
   * offset order per partition.
   *
   * @throws org.apache.kafka.common.errors.TimeoutException when the broker does not answer
   */
  public Stats read(
      Map<TopicPartition, long[]> ranges, DlqFilter filter, Consumer<DeadLetter> sink) {
    Map<TopicPartition, Long> end = new HashMap<>();
    ranges.forEach((tp, r) -> end.put(tp, r[1]));
    consumer.assign(ranges.keySet());
    ranges.forEach((tp, r) -> consumer.seek(tp, r[0]));
    return drain(ranges.keySet(), end, filter, sink, () -> false);
  }

  /**
   * Polls {@code assigned} until each partition in {@code end} is read up to (not including) its
   * offset there, pausing the ones read out, and calls {@code sink} for every dead letter {@code
   * filter} selects. {@code stop} is asked between polls.
   */
  private Stats drain(
      Collection<TopicPartition> assigned,
      Map<TopicPartition, Long> end,
      DlqFilter filter,
      Consumer<DeadLetter> sink,
      BooleanSupplier stop) {
    consumer.resume(assigned); // a partition paused by an earlier read of this reader
    end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
    long read = 0;
    long matched = 0;
    long unreadable = 0;
    long lastProgress = System.nanoTime();
    while (!end.isEmpty() && !stop.getAsBoolean()) {
      consumer.pause(assigned.stream().filter(tp -> !end.containsKey(tp)).toList()); // read out
      var records = consumer.poll(Duration.ofMillis(500));
      if (!records.isEmpty()) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > apiTimeout.toNanos()) {
        throw new org.apache.kafka.common.errors.TimeoutException(
            "no records from " + topic.name() + " for " + apiTimeout.toSeconds() + " s");
      }
      for (ConsumerRecord<byte[], byte[]> r : records) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        Long last = end.get(tp);
        if (last == null || r.offset() >= last) {
          continue; // past the range, or written after the scan began
        }
        read++;
        DeadLetter d = read(r);
        if (d == null) {
          unreadable++;
        } else if (filter.matches(d)) {
          matched++;
          sink.accept(d);
        }
      }
      end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
    }
    return new Stats(read, matched, unreadable);
  }

  private @Nullable DeadLetter read(ConsumerRecord<byte[], byte[]> r) {
    Delivery d;
    try {
      d = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      return null;
    }
    if (d == null) {
      return null;
    }
    String status = header(r, HeaderNames.LAST_STATUS);
    String attempts = header(r, HeaderNames.ATTEMPTS);
    int n;
    try {
      n = attempts != null ? Integer.parseInt(attempts) : d.attempt();
    } catch (NumberFormatException e) {
      n = d.attempt();
    }
    return new DeadLetter(
        r.topic(),
        r.partition(),
        r.offset(),
        Instant.ofEpochMilli(r.timestamp()),
        d,
        header(r, HeaderNames.REASON),
        status != null ? status : header(r, HeaderNames.LAST_ERROR),
        n);
  }

  private static @Nullable String header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
