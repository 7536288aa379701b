package com.flintn.webhooks.scheduler.tier;

import com.flintn.webhooks.common.topic.HeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry scheduler's poll loop (DESIGN §7). Each tier topic has one fixed delay, so due times
 * within a partition never decrease and the head record decides: if it is not due, the partition is
 * paused (and the consumer rewound to it) until it is; polling goes on for the others, never
 * sleeping. Due records are produced to {@code webhooks.deliveries.due} and their source offsets
 * committed in one Kafka transaction, so a record is moved exactly once even across crashes. Owns
 * the consumer and producer: only this thread touches them.
 */
final class DueRetryMover implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(DueRetryMover.class);
  private static final long MAX_POLL_MILLIS = 100;

  private final Consumer<byte[], byte[]> consumer;
  private final ProducerFactory producers;
  private final Map<String, Duration> tierDelays;
  private final String dueTopic;
  private final Clock clock;
  private final PauseSchedule schedule = new PauseSchedule();
  private Producer<byte[], byte[]> producer;
  private volatile boolean running = true;
  private volatile long moved;

  /** Makes a transactional producer whose transactions have been initialised. */
  interface ProducerFactory {
    Producer<byte[], byte[]> create();
  }

  DueRetryMover(
      Consumer<byte[], byte[]> consumer,
      ProducerFactory producers,
      Map<String, Duration> tierDelays,
      String dueTopic,
      Clock clock) {
    this.consumer = consumer;
    this.producers = producers;
    this.tierDelays = Map.copyOf(tierDelays);
    this.dueTopic = dueTopic;
    this.clock = clock;
  }

  private volatile boolean abrupt;

  /** Stops the loop; {@code abrupt} drops the producer as a crash would, without a clean end. */
  void stop(boolean abrupt) {
    this.abrupt = abrupt;
    running = false;
    consumer.wakeup();
  }

  long moved() {
    return moved;
  }

  @Override
  public void run() {
    producer = producers.create();
    consumer.subscribe(tierDelays.keySet(), new Rebalance());
    try {
      while (running) {
        try {
          pollOnce();
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          log.error("retry scheduler loop error, continuing: {}", e.toString());
          sleepQuietly(Duration.ofSeconds(1));
        }
      }
    } catch (WakeupException e) {
      // stop() was called
    } finally {
      producer.close(abrupt ? Duration.ZERO : Duration.ofSeconds(5));
      consumer.close();
    }
  }

  private void pollOnce() {
    long now = clock.millis();
    List<TopicPartition> due = schedule.takeDue(now);
    due.retainAll(consumer.assignment());
    if (!due.isEmpty()) {
      consumer.resume(due);
    }
    resumeUnscheduled();
    long timeout = schedule.nextDue().orElse(now + MAX_POLL_MILLIS) - now;
    ConsumerRecords<byte[], byte[]> records =
        consumer.poll(Duration.ofMillis(Math.max(1, Math.min(MAX_POLL_MILLIS, timeout))));
    if (records.isEmpty()) {
      return;
    }
    now = clock.millis();
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
    for (TopicPartition tp : records.partitions()) {
      Duration delay = tierDelays.get(tp.topic());
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        long dueAt = DueAt.of(r, delay);
        if (dueAt > now) {
          consumer.seek(tp, r.offset());
          consumer.pause(List.of(tp));
          schedule.pause(tp, dueAt);
          break;
        }
        batch.add(r);
      }
    }
    if (!batch.isEmpty()) {
      move(batch);
    }
  }

  /** A partition paused by us but no longer in the schedule (it was revoked and came back). */
  private void resumeUnscheduled() {
    List<TopicPartition> stray = new ArrayList<>();
    for (TopicPartition tp : consumer.paused()) {
      if (!schedule.isScheduled(tp)) {
        stray.add(tp);
      }
    }
    if (!stray.isEmpty()) {
      consumer.resume(stray);
    }
  }

  private void move(List<ConsumerRecord<byte[], byte[]>> batch) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Map<TopicPartition, Long> firstOffsets = new HashMap<>();
    try {
      producer.beginTransaction();
      long movedAt = clock.millis();
      for (ConsumerRecord<byte[], byte[]> r : batch) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        firstOffsets.putIfAbsent(tp, r.offset());
        offsets.put(tp, new OffsetAndMetadata(r.offset() + 1));
        RecordHeaders h = new RecordHeaders(r.headers().toArray());
        h.remove(HeaderNames.MOVED_AT);
        h.add(HeaderNames.MOVED_AT, String.valueOf(movedAt).getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(dueTopic, null, r.key(), r.value(), h));
      }
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
      moved += batch.size();
    } catch (ProducerFencedException | AuthorizationException e) {
      log.error("retry scheduler producer unusable ({}); starting a new one", e.toString());
      producer.close(Duration.ZERO);
      producer = producers.create();
      rewind(firstOffsets);
    } catch (KafkaException e) {
      log.warn("moving {} due retries failed, will retry: {}", batch.size(), e.toString());
      try {
        producer.abortTransaction();
      } catch (KafkaException abortFailed) {
        producer.close(Duration.ZERO);
        producer = producers.create();
      }
      rewind(firstOffsets);
    }
  }

  /** After an aborted transaction, read the same records again (if still ours). */
  private void rewind(Map<TopicPartition, Long> firstOffsets) {
    firstOffsets.forEach(
        (tp, offset) -> {
          if (consumer.assignment().contains(tp)) {
            consumer.seek(tp, offset);
          }
        });
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      schedule.forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      schedule.forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Start from the committed offset, unpaused: the first poll reads each head record and
      // pauses again if it is not due. Nothing from before the rebalance is trusted.
      schedule.forget(partitions);
      List<TopicPartition> paused = new ArrayList<>(partitions);
      paused.retainAll(consumer.paused());
      if (!paused.isEmpty()) {
        consumer.resume(paused);
      }
    }
  }
}
