package com.flintn.webhooks.scheduler.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The mover's recovery logic against a mock consumer that reads from an in-memory log (so a seek
 * back really reads records again) and a mock transactional producer whose commits are the group's
 * committed offsets.
 */
class DueRetryMoverTest {
  private static final String TIER = "webhooks.retry.1s";
  private static final String DUE = "webhooks.deliveries.due";
  private static final TopicPartition TP = new TopicPartition(TIER, 0);
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * A move fails, and so does the first attempt to read the committed offsets while recovering (the
   * broker is still away). The mover must not poll on from behind the failed batch: it reads the
   * partition again from the last commit, so every due record is moved exactly once and no offset
   * is committed past a record that was never moved.
   */
  @Test
  void aFailedReadOfTheCommittedOffsetsDuringRecoveryDoesNotSkipTheFailedBatch() throws Exception {
    ManualClock clock = new ManualClock(START);
    FlakyProducer producer = new FlakyProducer();
    producer.initTransactions();
    LogConsumer consumer = new LogConsumer(producer);
    for (int offset = 0; offset < 8; offset++) {
      consumer.append(offset, START.minusSeconds(60).toEpochMilli()); // long due
    }
    producer.failNextCommit.set(true);
    consumer.failNextCommitted.set(true);
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(TP)));

    DueRetryMover mover =
        new DueRetryMover(
            consumer, () -> producer, Map.of(TIER, Duration.ofSeconds(1)), DUE, clock);
    Thread thread = Thread.ofPlatform().name("mover-under-test").start(mover);
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> committedOffset(producer) >= 8);
    } finally {
      mover.stop(false);
      thread.join(10_000);
    }

    assertThat(producer.failNextCommit).as("the first commit failed").isFalse();
    assertThat(consumer.failNextCommitted).as("the first committed() failed").isFalse();
    assertThat(keys(producer.history()))
        .as("records moved to the due topic")
        .containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
    assertThat(committedOffset(producer)).isEqualTo(8);
  }

  private static long committedOffset(MockProducer<byte[], byte[]> producer) {
    OffsetAndMetadata o = committed(producer).get(TP);
    return o == null ? -1 : o.offset();
  }

  /** The offsets the producer's committed transactions wrote, the last one for each partition. */
  private static Map<TopicPartition, OffsetAndMetadata> committed(
      MockProducer<byte[], byte[]> producer) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (Map<String, Map<TopicPartition, OffsetAndMetadata>> byGroup :
        producer.consumerGroupOffsetsHistory()) {
      byGroup.values().forEach(out::putAll);
    }
    return out;
  }

  private static List<String> keys(List<ProducerRecord<byte[], byte[]>> records) {
    List<String> keys = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> r : records) {
      assertThat(r.topic()).isEqualTo(DUE);
      keys.add(new String(r.key(), StandardCharsets.UTF_8));
    }
    return keys;
  }

  /** A transactional producer whose next commit can be made to fail once. */
  private static final class FlakyProducer extends MockProducer<byte[], byte[]> {
    final AtomicBoolean failNextCommit = new AtomicBoolean();

    FlakyProducer() {
      super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void commitTransaction() {
      if (failNextCommit.getAndSet(false)) {
        throw new KafkaException("broker went away during the commit");
      }
      super.commitTransaction();
    }
  }

  /**
   * A consumer over an in-memory log of one partition: each poll returns up to five records from
   * the current position (like {@code max.poll.records}), so a seek back reads them again. Its
   * committed offsets are those of the producer's committed transactions; the next call of {@code
   * committed} can be made to fail once.
   */
  private static final class LogConsumer extends MockConsumer<byte[], byte[]> {
    private final MockProducer<byte[], byte[]> producer;
    private final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
    final AtomicBoolean failNextCommitted = new AtomicBoolean();

    LogConsumer(MockProducer<byte[], byte[]> producer) {
      super("earliest");
      this.producer = producer;
      updateBeginningOffsets(Map.of(TP, 0L));
    }

    synchronized void append(long offset, long timestamp) {
      byte[] key = String.valueOf(offset).getBytes(StandardCharsets.UTF_8);
      log.add(
          new ConsumerRecord<>(
              TIER,
              0,
              offset,
              timestamp,
              TimestampType.CREATE_TIME,
              key.length,
              0,
              key,
              new byte[0],
              new RecordHeaders(),
              Optional.empty()));
    }

    @Override
    public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
      super.poll(Duration.ZERO); // wake-ups, poll tasks, rebalances, offset resets
      Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
      Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
      if (assignment().contains(TP) && !paused().contains(TP)) {
        long position = position(TP);
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : log) {
          if (r.offset() >= position && batch.size() < 5) {
            batch.add(r);
          }
        }
        if (!batch.isEmpty()) {
          long after = batch.getLast().offset() + 1;
          seek(TP, after);
          out.put(TP, batch);
          next.put(TP, new OffsetAndMetadata(after));
        }
      }
      return new ConsumerRecords<>(out, next);
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndMetadata> committed(
        Set<TopicPartition> partitions) {
      if (failNextCommitted.getAndSet(false)) {
        throw new TimeoutException("timed out reading committed offsets: broker still away");
      }
      Map<TopicPartition, OffsetAndMetadata> all = DueRetryMoverTest.committed(producer);
      Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
      for (TopicPartition tp : partitions) {
        if (all.get(tp) != null) {
          out.put(tp, all.get(tp));
        }
      }
      return out;
    }
  }
}
