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
import java.util.concurrent.CompletableFuture;
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
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;
  private volatile boolean commitOnExit = true;
  private volatile long lag;
  private volatile int assigned;

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
        try {
          pollOnce();
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // A broker or coordinator hiccup must not end the loop: log, pause briefly, go on.
          log.error("dispatcher poll loop error, continuing: {}", e.toString());
          sleepQuietly(Duration.ofSeconds(1));
        }
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

  /** Records not yet read on this loop's partitions, as of its last poll. */
  long lag() {
    return lag;
  }

  /** Partitions assigned to this loop as of its last poll. */
  int assignedPartitions() {
    return assigned;
  }

  private void publishLag() {
    long total = 0;
    var partitions = consumer.assignment();
    for (TopicPartition tp : partitions) {
      total += consumer.currentLag(tp).orElse(0);
    }
    lag = total;
    assigned = partitions.size();
  }

  private void pollOnce() {
    resumeDrained();
    var records = consumer.poll(Duration.ofMillis(100));
    publishLag();
    if (!records.isEmpty()) {
      handler.beforeBatch(records);
    }
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      CommitTracker.Progress progress = tracker.progress(tp);
      progress.begin(r.offset());
      long offset = r.offset();
      CompletableFuture<Void> done;
      try {
        done = handler.handle(r);
      } catch (RuntimeException e) {
        done = CompletableFuture.failedFuture(e);
      }
      done.whenComplete(
          (ok, e) -> {
            if (e != null && !running) {
              return; // stopping: unfinished work stays uncommitted and is redone by the next owner
            }
            if (e != null) {
              // Retriable Kafka failures are retried below this point; what arrives here cannot
              // be fixed by retrying, so the record is let go, loudly, rather than freezing the
              // partition's commits for good.
              failures.add(r.topic() + "-" + r.partition() + "@" + offset + ": " + e);
            }
            progress.finish(offset);
          });
    }
    pauseFull();
    reportFailures();
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
    for (String f; (f = failures.poll()) != null; ) {
      log.error("record given up after a failure that retrying cannot fix: {}", f);
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
        try {
          consumer.commitSync(offsets);
        } catch (WakeupException e) {
          consumer.commitSync(offsets); // a wakeup left over from stop(); the retry is real
        }
        offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
      } else {
        // The callback runs on this thread, inside a later poll: only a commit Kafka confirmed
        // is remembered, so a failed one is sent again.
        consumer.commitAsync(
            offsets,
            (done, e) -> {
              if (e == null) {
                done.forEach((tp, o) -> committed.put(tp, o.offset()));
              } else {
                log.warn("offset commit failed, will retry: {}", e.toString());
              }
            });
      }
    } catch (RuntimeException e) {
      log.warn("offset commit failed: {}", e.toString());
    }
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
