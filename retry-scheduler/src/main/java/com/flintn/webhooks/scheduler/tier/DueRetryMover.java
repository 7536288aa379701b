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

  /** Told of every record once its move has committed. */
  interface MoveListener {
    void moved(String tierTopic, Duration tierDelay, long latenessMillis);

    MoveListener NONE = (topic, delay, lateness) -> {};
  }

  private MoveListener listener = MoveListener.NONE;

  /** Sets who hears of committed moves; call before the mover runs. */
  void listener(MoveListener listener) {
    this.listener = listener;
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
          try {
            recover(e);
          } catch (WakeupException w) {
            throw w;
          } catch (RuntimeException again) {
            log.error("retry scheduler cannot recover yet, retrying: {}", again.toString());
          }
          sleepQuietly(Duration.ofMillis(500));
        }
      }
    } catch (WakeupException e) {
      // stop() was called
    } finally {
      if (producer != null) {
        producer.close(abrupt ? Duration.ZERO : Duration.ofSeconds(5));
      }
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
    if (producer == null) {
      producer = producers.create(); // a failed recovery left none; try again now
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    producer.beginTransaction();
    long movedAt = clock.millis();
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      offsets.put(
          new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
      RecordHeaders h = new RecordHeaders(r.headers().toArray());
      h.remove(HeaderNames.MOVED_AT);
      h.add(HeaderNames.MOVED_AT, String.valueOf(movedAt).getBytes(StandardCharsets.UTF_8));
      producer.send(new ProducerRecord<>(dueTopic, null, r.key(), r.value(), h));
    }
    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
    commitWithRetry();
    moved += batch.size();
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      Duration delay = tierDelays.get(r.topic());
      listener.moved(r.topic(), delay, Math.max(0, movedAt - DueAt.of(r, delay)));
    }
  }

  /** A commit that timed out may be called again until it completes or fails for real. */
  private void commitWithRetry() {
    for (int tries = 1; ; tries++) {
      try {
        producer.commitTransaction();
        return;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (tries >= 3) {
          throw e;
        }
      }
    }
  }

  /**
   * After any failure while moving: end the transaction (or drop the producer if it cannot), then
   * read every assigned partition again from its committed offset with a fresh pause state, so no
   * record is skipped and none stays paused behind a record that was never moved.
   */
  private void recover(RuntimeException cause) {
    log.warn("moving due retries failed, reading again from the last commit: {}", cause.toString());
    if (producer != null) {
      try {
        if (cause instanceof ProducerFencedException || cause instanceof AuthorizationException) {
          throw cause;
        }
        producer.abortTransaction();
      } catch (RuntimeException unusable) {
        producer.close(Duration.ZERO);
        producer = null;
        try {
          producer = producers.create();
        } catch (RuntimeException e) {
          log.error("cannot start a new transactional producer yet: {}", e.toString());
        }
      }
    }
    java.util.Set<TopicPartition> assigned = consumer.assignment();
    schedule.forget(assigned);
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
    for (TopicPartition tp : assigned) {
      OffsetAndMetadata c = committed.get(tp);
      if (c != null) {
        consumer.seek(tp, c.offset());
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
    consumer.resume(assigned);
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
