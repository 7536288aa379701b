package com.flintn.webhooks.dispatcher.consume;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's poll thread (DESIGN §6). It hands every record to the {@link RecordHandler}
 * without waiting, so many deliveries are in flight at once; pauses a partition whose unfinished
 * records reach the window and resumes it when half drained; and commits, a few times a second,
 * only offsets below which every record is finished. On revocation it waits (bounded) for the
 * revoked partitions' work and commits what finished. Owns the consumer: only this thread touches
 * it.
 */
final class DeliveryLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(DeliveryLoop.class);
  private static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);

  private final Consumer<byte[], byte[]> consumer;
  private final List<String> topics;
  private final RecordHandler handler;
  private final int window;
  private final Duration revokeGrace;
  private final Clock clock;
  private final CommitTracker tracker = new CommitTracker();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;
  private volatile boolean commitOnExit = true;

  DeliveryLoop(
      Consumer<byte[], byte[]> consumer,
      List<String> topics,
      RecordHandler handler,
      int window,
      Duration revokeGrace,
      Clock clock) {
    this.consumer = consumer;
    this.topics = topics;
    this.handler = handler;
    this.window = window;
    this.revokeGrace = revokeGrace;
    this.clock = clock;
  }

  /**
   * Asks the loop to stop; with {@code commit} false it stops as a crash would, committing nothing.
   */
  void stop(boolean commit) {
    commitOnExit = commit;
    running = false;
    consumer.wakeup();
  }

  @Override
  public void run() {
    consumer.subscribe(topics, new Rebalance());
    Instant lastCommit = clock.instant();
    try {
      while (running) {
        resumeDrained();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          CommitTracker.Progress progress = tracker.progress(tp);
          progress.begin(r.offset());
          long offset = r.offset();
          handler
              .handle(r)
              .whenComplete(
                  (ok, e) -> {
                    if (e == null) {
                      progress.finish(offset);
                    } else if (running) {
                      failures.add(e);
                    }
                  });
        }
        pauseFull();
        reportFailures();
        if (Duration.between(lastCommit, clock.instant()).compareTo(COMMIT_INTERVAL) >= 0) {
          commit(tracker.all().keySet(), false);
          lastCommit = clock.instant();
        }
      }
    } catch (WakeupException e) {
      // stop() was called
    } finally {
      if (commitOnExit) {
        awaitDrained(tracker.all().keySet());
        commit(tracker.all().keySet(), true);
      }
      consumer.close();
    }
  }

  private void resumeDrained() {
    List<TopicPartition> resume = new ArrayList<>();
    for (TopicPartition tp : consumer.paused()) {
      if (tracker.progress(tp).inFlight() <= window / 2) {
        resume.add(tp);
      }
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
  }

  private void pauseFull() {
    List<TopicPartition> pause = new ArrayList<>();
    for (Map.Entry<TopicPartition, CommitTracker.Progress> e : tracker.all().entrySet()) {
      if (e.getValue().inFlight() >= window && consumer.assignment().contains(e.getKey())) {
        pause.add(e.getKey());
      }
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
  }

  private void reportFailures() {
    for (Throwable t; (t = failures.poll()) != null; ) {
      log.error("a record could not be finished and stays uncommitted: {}", t.toString());
    }
  }

  private void commit(Collection<TopicPartition> partitions, boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      OptionalLong c = tracker.progress(tp).committable();
      if (c.isPresent() && !Long.valueOf(c.getAsLong()).equals(committed.get(tp))) {
        offsets.put(tp, new OffsetAndMetadata(c.getAsLong()));
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      if (sync) {
        consumer.commitSync(offsets);
      } else {
        consumer.commitAsync(
            offsets,
            (done, e) -> {
              if (e != null) {
                log.warn("offset commit failed, will retry: {}", e.toString());
              }
            });
      }
      offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
    } catch (RuntimeException e) {
      log.warn("offset commit failed: {}", e.toString());
    }
  }

  private void awaitDrained(Collection<TopicPartition> partitions) {
    long deadline = System.nanoTime() + revokeGrace.toNanos();
    for (TopicPartition tp : partitions) {
      CommitTracker.Progress p = tracker.progress(tp);
      while (p.inFlight() > 0 && System.nanoTime() < deadline) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!commitOnExit) {
        return;
      }
      awaitDrained(partitions);
      commit(partitions, true);
      for (TopicPartition tp : partitions) {
        tracker.revoke(tp);
        committed.remove(tp);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        tracker.revoke(tp);
        committed.remove(tp);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        tracker.assign(tp);
      }
    }
  }
}
