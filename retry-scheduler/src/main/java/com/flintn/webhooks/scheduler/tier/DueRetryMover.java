package com.flintn.webhooks.scheduler.tier;

import com.flintn.webhooks.common.topic.HeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry scheduler's poll loop (docs/design.md §7). Each tier topic has one fixed delay, so due
 * times within a partition never decrease and the head record decides: if it is not due, the
 * partition is paused until it is; polling goes on for the others, never sleeping. Due records are
 * produced to {@code webhooks.deliveries.due} and their source offsets committed in one Kafka
 * transaction, so a record is moved exactly once even across crashes. Owns the consumer and
 * producer: only this thread touches them.
 *
 * <p>The records a poll returned from the not-due head onwards are held in memory, not read again:
 * when the head falls due they are moved from there, and the partition is resumed only once none is
 * held. (Rewinding to the head instead made every wake-up fetch and parse up to a poll's worth of
 * records to move one or two: with 1,000 retries due a second that was most of the scheduler's
 * work.) A paused partition gets no records, so what is held is at most one poll's worth per
 * partition, whatever the backlog; it is dropped on every rebalance and after a failed move, when
 * the partitions are read again from their committed offsets.
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

  /** Per paused partition, the records read from its not-due head on, in offset order. */
  private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> held =
      new HashMap<>();

  private @Nullable Producer<byte[], byte[]> producer;

  /** A move failed and the partitions have not yet been read again from their committed offsets. */
  private boolean rewindPending;

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
          if (rewindPending) {
            rewind();
          }
          pollOnce();
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          if (rewindPending) {
            // the rewind itself failed: the producer is already dealt with, only it is retried
            log.error(
                "retry scheduler cannot read its committed offsets yet, retrying: {}",
                e.toString());
          } else {
            try {
              recover(e);
            } catch (WakeupException w) {
              throw w;
            } catch (RuntimeException again) {
              log.error("retry scheduler cannot recover yet, retrying: {}", again.toString());
            }
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
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    for (TopicPartition tp : schedule.takeDue(now)) {
      ArrayDeque<ConsumerRecord<byte[], byte[]>> records = held.remove(tp);
      if (!consumer.assignment().contains(tp)) {
        continue;
      }
      if (records == null || takeDue(tp, records, now, batch)) {
        resume.add(tp);
      }
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
    resumeUnscheduled();
    long timeout =
        batch.isEmpty()
            ? Math.max(
                1,
                Math.min(MAX_POLL_MILLIS, schedule.nextDue().orElse(now + MAX_POLL_MILLIS) - now))
            : 0;
    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(timeout));
    now = clock.millis();
    for (TopicPartition tp : records.partitions()) {
      takeDue(tp, new ArrayDeque<>(records.records(tp)), now, batch);
    }
    if (!batch.isEmpty()) {
      move(batch);
    }
  }

  /**
   * Adds the records of {@code tp} that are due at {@code now} to {@code batch}, in order. If a
   * record is not due, it and those after it are held and the partition is paused until it is due.
   *
   * @return whether every record was due
   */
  private boolean takeDue(
      TopicPartition tp,
      ArrayDeque<ConsumerRecord<byte[], byte[]>> records,
      long now,
      List<ConsumerRecord<byte[], byte[]>> batch) {
    Duration delay = Objects.requireNonNull(tierDelays.get(tp.topic()), tp.topic());
    for (ConsumerRecord<byte[], byte[]> r; (r = records.peekFirst()) != null; ) {
      long dueAt = DueAt.of(r, delay);
      if (dueAt > now) {
        consumer.pause(List.of(tp));
        schedule.pause(tp, dueAt);
        held.put(tp, records);
        return false;
      }
      batch.add(records.pollFirst());
    }
    return true;
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

  // The sends are part of the transaction: if one fails, commitTransaction throws and nothing of
  // the batch, offsets included, is committed. Only this thread writes moved.
  @SuppressWarnings({"FutureReturnValueIgnored", "NonAtomicVolatileUpdate"})
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
      Duration delay = Objects.requireNonNull(tierDelays.get(r.topic()), r.topic());
      listener.moved(r.topic(), delay, Math.max(0, movedAt - DueAt.of(r, delay)));
    }
  }

  /** A commit that timed out may be called again until it completes or fails for real. */
  private void commitWithRetry() {
    for (int tries = 1; ; tries++) {
      try {
        Objects.requireNonNull(producer, "a transaction is open").commitTransaction();
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
   * record is skipped and none stays paused behind a record that was never moved. Nothing is polled
   * until that rewind has succeeded: polling on from where the failed batch left off would let the
   * next move commit past records that were never moved.
   */
  private void recover(RuntimeException cause) {
    rewindPending = true;
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
    rewind();
  }

  /**
   * Seeks every assigned partition to its committed offset, unpaused and with nothing held; clears
   * {@link #rewindPending} only once every seek is done. If reading the committed offsets fails
   * (the broker is still away), it stays pending and the loop tries again before its next poll.
   */
  private void rewind() {
    Set<TopicPartition> assigned = consumer.assignment();
    schedule.forget(assigned);
    held.clear();
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
    rewindPending = false;
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void forget(Collection<TopicPartition> partitions) {
    schedule.forget(partitions);
    held.keySet().removeAll(partitions);
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Start from the committed offset, unpaused: the first poll reads each head record and
      // pauses again if it is not due. Nothing from before the rebalance is trusted.
      forget(partitions);
      List<TopicPartition> paused = new ArrayList<>(partitions);
      paused.retainAll(consumer.paused());
      if (!paused.isEmpty()) {
        consumer.resume(paused);
      }
    }
  }
}
