package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.dispatcher.record.SourceRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's poll thread (docs/design.md, "The dispatcher's window"). It hands every record
 * to the {@link RecordHandler} without waiting, so many deliveries are in flight at once; pauses a
 * partition whose unfinished records reach the window and resumes it when half drained; and
 * commits, a few times a second, only offsets below which every record is finished, naming in the
 * commit's metadata the records finished past that point, which the next owner of the partition
 * skips ({@link FinishedOffsets}). On revocation it waits (bounded) for the revoked partitions'
 * work and commits what finished.
 *
 * <p>A graceful stop is bounded: no new record is started and waiting deliveries are abandoned at
 * once; in-flight requests get until the deadline while the loop keeps polling (paused), so the
 * group keeps it as a member; then it commits what finished and leaves the group. What was not
 * finished is not committed past, and the next owner does it again. Owns the consumer: only this
 * thread touches it.
 *
 * <p>While the handler says records must be held ({@link RecordHandler#hold()}: the endpoint view
 * holds records it cannot decrypt), every partition is paused and records already fetched are
 * rewound, unhandled; work in flight finishes and is committed as usual. The loop resumes by itself
 * once the hold is lifted.
 */
final class DeliveryLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(DeliveryLoop.class);
  private static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(60);
  private static final Duration END_OFFSETS_INTERVAL = Duration.ofSeconds(5);

  /**
   * How long a poll waits for records, and how often a paused consumer polls to stay in its group.
   */
  static final Duration POLL = Duration.ofMillis(100);

  /**
   * How long a poll waits while a partition is paused for its window: the poll returns nothing
   * until some other partition has records, and a paused partition is only resumed between polls.
   * Waiting the full {@link #POLL} there left a drained window idle for up to that long.
   */
  static final Duration POLL_WHILE_PAUSED = Duration.ofMillis(5);

  /** Kept from a stop's bound for the last commit and for leaving the group. */
  private static final Duration CLOSE_RESERVE = Duration.ofSeconds(3);

  private final Consumer<byte[], byte[]> consumer;
  private final List<String> topics;
  private final String overflowTopic;
  private final RecordWork handler;
  private final EndpointLimits limits;
  private final int window;
  private final Duration revokeGrace;
  private final Clock clock;
  private final CommitTracker tracker = new CommitTracker();
  private final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();

  /** What the previous owner of a partition had finished past its commit; poll thread only. */
  private final Map<TopicPartition, FinishedOffsets> resumed = new HashMap<>();

  private final ConcurrentLinkedQueue<Failed> failures = new ConcurrentLinkedQueue<>();

  /**
   * Partitions stopped by a record whose work failed for good, with what failed: the loop never
   * commits past such a record, so it does not read on either. Written on callback threads.
   */
  private final Map<TopicPartition, Failed> stopped = new ConcurrentHashMap<>();

  /** A record whose work failed in a way retrying cannot fix. */
  record Failed(TopicPartition partition, long offset, Throwable cause) {
    @Override
    public String toString() {
      return partition
          + " stopped at offset "
          + offset
          + ": "
          + cause
          + "; nothing from there on is committed. Fix the cause and restart the dispatcher:"
          + " the record and those after it are handled again then";
    }
  }

  private volatile boolean running = true;
  private volatile boolean commitOnExit = true;
  private volatile long stopDeadline = Long.MAX_VALUE;
  private volatile long lag;
  private volatile long overflowBacklog;
  private volatile int assigned;
  private final Map<TopicPartition, Long> pausedEnds = new HashMap<>();

  /** Whether records are being held ({@link #holding()}); poll thread only. */
  private boolean held;

  private Instant lastPausedEnds = Instant.EPOCH;

  DeliveryLoop(
      Consumer<byte[], byte[]> consumer,
      List<String> topics,
      String overflowTopic,
      RecordWork handler,
      EndpointLimits limits,
      int window,
      Duration revokeGrace,
      Clock clock) {
    this.consumer = consumer;
    this.topics = topics;
    this.overflowTopic = overflowTopic;
    this.handler = handler;
    this.limits = limits;
    this.window = window;
    this.revokeGrace = revokeGrace;
    this.clock = clock;
  }

  /**
   * Asks the loop to stop within {@code within}; with {@code commit} false it stops as a crash
   * would, committing nothing.
   */
  void stop(boolean commit, Duration within) {
    stopDeadline = clock.millis() + within.toMillis();
    commitOnExit = commit;
    running = false;
    limits.stop(); // deliveries waiting for a slot are abandoned, not started
    consumer.wakeup();
  }

  @Override
  public void run() {
    consumer.subscribe(topics, new Rebalance());
    Instant lastCommit = clock.instant();
    Instant lastSweep = clock.instant();
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
        Instant now = clock.instant();
        if (Duration.between(lastCommit, now).compareTo(COMMIT_INTERVAL) >= 0) {
          commit(tracker.all().keySet(), false);
          lastCommit = now;
        }
        if (Duration.between(lastSweep, now).compareTo(SWEEP_INTERVAL) >= 0) {
          sweep();
          lastSweep = now;
        }
      }
    } catch (WakeupException e) {
      // stop() was called
    } finally {
      if (commitOnExit) {
        drainAndCommit();
      }
      closeConsumer();
    }
  }

  /**
   * The graceful half of a stop: keeps polling, with every partition paused, while in-flight
   * requests finish or until the deadline; then commits what finished and says so in one line.
   */
  private void drainAndCommit() {
    long started = clock.millis();
    long unfinishedAtStop = unfinished();
    long drainUntil = stopDeadline - CLOSE_RESERVE.toMillis();
    Instant lastCommit = clock.instant();
    while (working() > 0 && clock.millis() < drainUntil) {
      try {
        consumer.pause(consumer.assignment());
        consumer.poll(POLL);
      } catch (WakeupException e) {
        // the wakeup of stop() itself, or a second signal: keep draining until the deadline
      } catch (RuntimeException e) {
        log.warn("dispatcher poll while stopping failed: {}", e.toString());
        sleepQuietly(Duration.ofMillis(100));
      }
      reportFailures();
      if (Duration.between(lastCommit, clock.instant()).compareTo(COMMIT_INTERVAL) >= 0) {
        commit(tracker.all().keySet(), false);
        lastCommit = clock.instant();
      }
    }
    long abandoned = unfinished();
    Map<TopicPartition, Long> done = commit(tracker.all().keySet(), true);
    log.info(
        "dispatcher stopped in {} ms: {} records finished while stopping, {} abandoned (done"
            + " again by the next owner), offsets committed on {} partitions{}",
        clock.millis() - started,
        unfinishedAtStop - abandoned,
        abandoned,
        committed.size(),
        done.isEmpty() ? "" : " (" + done.size() + " in the last commit)");
  }

  private void closeConsumer() {
    Duration left = Duration.ofMillis(Math.max(0, stopDeadline - clock.millis()));
    if (left.compareTo(Duration.ofMillis(500)) < 0) {
      left = Duration.ofMillis(500);
    }
    try {
      consumer.close(CloseOptions.timeout(left));
    } catch (RuntimeException e) {
      log.warn("dispatcher consumer did not close cleanly: {}", e.toString());
    }
  }

  /** Records begun but not finished, on every partition this loop tracks. */
  private long unfinished() {
    long n = 0;
    for (Map.Entry<TopicPartition, CommitTracker.Progress> e : tracker.all().entrySet()) {
      n += e.getValue().inFlight();
    }
    return n;
  }

  /** Records whose work is still going on (not finished, not abandoned), on every partition. */
  private long working() {
    long n = 0;
    for (CommitTracker.Progress p : tracker.all().values()) {
      n += p.working();
    }
    return n;
  }

  /**
   * Once a minute: drops idle per-endpoint state, and names the endpoints that moved most to the
   * overflow lane (endpoint ids are not metric labels, so this is where an operator finds them).
   */
  private void sweep() {
    limits.evictIdle();
    List<Map.Entry<EndpointId, Integer>> moved = limits.drainOverflowCounts();
    if (!moved.isEmpty()) {
      long total = moved.stream().mapToLong(Map.Entry::getValue).sum();
      log.warn(
          "overflow lane: {} deliveries of {} endpoints moved in the last minute; most: {}",
          total,
          moved.size(),
          moved.subList(0, Math.min(5, moved.size())));
    }
  }

  /** Records not yet read on this loop's shared-lane partitions, as of its last poll. */
  long lag() {
    return lag;
  }

  /** Partitions assigned to this loop as of its last poll. */
  int assignedPartitions() {
    return assigned;
  }

  /** Deliveries in the overflow lane on this loop's partitions: unread, or read and unfinished. */
  long overflowBacklog() {
    return overflowBacklog;
  }

  private void publishLag() {
    long total = 0;
    long overflow = 0;
    var partitions = consumer.assignment();
    refreshPausedEnds();
    for (TopicPartition tp : partitions) {
      long l = lagOf(tp);
      // The overflow lane is worked off at its endpoints' pace, so its backlog is no sign that
      // the dispatcher is behind: it has a gauge of its own and stays out of the lag.
      if (tp.topic().equals(overflowTopic)) {
        overflow += l + tracker.progress(tp).inFlight();
      } else {
        total += l;
      }
    }
    lag = total;
    overflowBacklog = overflow;
    assigned = partitions.size();
  }

  /**
   * A paused partition is not fetched, so the consumer's own lag for it keeps the end offset of its
   * last fetch, from before it was paused: a partition paused behind a slow endpoint, the overflow
   * lane's usual state under a backlog, looked as good as drained. Its end offset is asked for
   * instead, every few seconds.
   */
  private void refreshPausedEnds() {
    var paused = consumer.paused();
    pausedEnds.keySet().retainAll(paused);
    Instant now = clock.instant();
    if (paused.isEmpty()
        || Duration.between(lastPausedEnds, now).compareTo(END_OFFSETS_INTERVAL) < 0) {
      return;
    }
    lastPausedEnds = now;
    try {
      pausedEnds.putAll(consumer.endOffsets(paused, Duration.ofMillis(500)));
    } catch (RuntimeException e) {
      log.debug("end offsets of paused partitions not read: {}", e.toString());
    }
  }

  /**
   * {@code tp}'s log end as the last fetch saw it (its high watermark, or the last stable offset
   * when reading committed records only): every offset below it was in the log before that fetch.
   */
  private OptionalLong knownEnd(TopicPartition tp) {
    OptionalLong lag = consumer.currentLag(tp);
    if (lag.isEmpty()) {
      return lag;
    }
    try {
      return OptionalLong.of(consumer.position(tp, Duration.ZERO) + lag.getAsLong());
    } catch (RuntimeException e) {
      return OptionalLong.empty(); // position not known yet
    }
  }

  private long lagOf(TopicPartition tp) {
    long fetched = consumer.currentLag(tp).orElse(0);
    Long end = pausedEnds.get(tp);
    if (end == null) {
      return fetched;
    }
    try {
      return Math.max(fetched, end - consumer.position(tp, Duration.ZERO));
    } catch (RuntimeException e) {
      return fetched; // position not known yet
    }
  }

  // done.whenComplete below: its callback settles both outcomes of done (a failed write stops the
  // partition), so the future it returns has nothing left to report.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void pollOnce() {
    if (holding()) {
      // Polls on, paused, to stay in the group; a partition assigned meanwhile is not paused
      // yet, so what it returns is rewound.
      rewind(consumer.poll(POLL));
      consumer.pause(consumer.assignment());
      publishLag();
      reportFailures();
      return;
    }
    boolean windowFull = resumeDrained();
    var records = consumer.poll(windowFull ? POLL_WHILE_PAUSED : POLL);
    publishLag();
    if (!records.isEmpty()) {
      handler.beforeBatch(records, this::knownEnd);
      if (holding()) {
        rewind(records); // the view, just brought up to date, cannot read an endpoint
        return;
      }
    }
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      CommitTracker.Progress progress = tracker.progress(tp);
      long offset = r.offset();
      progress.begin(offset);
      FinishedOffsets before = resumed.get(tp);
      if (before != null) {
        if (before.finished(offset)) {
          progress.finish(offset); // finished before the last commit: not done again
          continue;
        }
        if (offset >= before.end()) {
          resumed.remove(tp);
        }
      }
      CompletableFuture<Void> done;
      try {
        done = handler.handle(r);
      } catch (RuntimeException e) {
        done = CompletableFuture.failedFuture(e);
      }
      done.whenComplete(
          (ok, e) -> {
            if (e != null && (!running || abandoned(e))) {
              // stopping, or the partition was revoked while a delivery waited for its rate
              // limit's turn: unfinished work stays uncommitted and is redone by the next owner;
              // the stop does not wait for it
              progress.abandon(offset);
              return;
            }
            if (e != null) {
              // Retriable Kafka failures are retried below this point; what arrives here cannot
              // be fixed by retrying (a record larger than a topic accepts, a denied write). The
              // record stays unfinished, so nothing past it is ever committed, and its partition
              // stops, loudly: health goes down until an operator fixes the cause and restarts.
              Throwable cause =
                  e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              progress.abandon(offset); // unfinished for good: nothing waits for it
              Failed f = new Failed(tp, offset, cause);
              stopped.putIfAbsent(tp, f);
              failures.add(f);
              return;
            }
            progress.finish(offset);
          });
    }
    handler.afterBatch(); // writes what the batch's records left to write together
    pauseFull();
    reportFailures();
  }

  private static boolean abandoned(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return cause instanceof RecordHandler.Abandoned;
  }

  /** The partitions as {@link EndpointLimits} knows them. */
  private static List<SourceRecord.Partition> keys(Collection<TopicPartition> partitions) {
    return partitions.stream()
        .map(tp -> new SourceRecord(tp.topic(), tp.partition(), 0).partitionKey())
        .toList();
  }

  /**
   * Whether records must be held now (see the class comment); pauses every partition when the hold
   * begins and says so once, and says once when it ends.
   */
  private boolean holding() {
    Optional<String> why = handler.hold();
    if (why.isPresent()) {
      if (!held) {
        held = true;
        consumer.pause(consumer.assignment());
        log.error("dispatcher holds every partition, consuming nothing: {}", why.get());
      }
      return true;
    }
    if (held) {
      held = false;
      log.info("dispatcher resumes consuming: the endpoint view can read every endpoint again");
    }
    return false;
  }

  /** Puts each partition of {@code records} back to its first record, none of them handled. */
  private void rewind(org.apache.kafka.clients.consumer.ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      consumer.seek(tp, records.records(tp).get(0).offset());
    }
  }

  /**
   * Resumes the partitions paused for their window that are half drained; returns whether any stays
   * paused for its window (a partition stopped by a failure does not count).
   */
  private boolean resumeDrained() {
    List<TopicPartition> resume = new ArrayList<>();
    boolean full = false;
    for (TopicPartition tp : consumer.paused()) {
      if (stopped.containsKey(tp)) {
        continue;
      }
      if (tracker.progress(tp).inFlight() <= window / 2) {
        resume.add(tp);
      } else {
        full = true;
      }
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
    return full;
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
    for (Failed f; (f = failures.poll()) != null; ) {
      log.error("dispatcher partition {}", f);
      if (consumer.assignment().contains(f.partition())) {
        consumer.pause(List.of(f.partition()));
      }
    }
  }

  /** Partitions stopped by work that failed for good; empty when all is well. */
  Map<TopicPartition, Failed> stoppedPartitions() {
    return Map.copyOf(stopped);
  }

  /** Forgets a partition that is no longer this loop's: its next owner meets its records anew. */
  private void forgetStopped(TopicPartition tp) {
    stopped.remove(tp);
  }

  /** Commits what is finished; returns, for a synchronous commit, the offsets it committed. */
  private Map<TopicPartition, Long> commit(Collection<TopicPartition> partitions, boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata c = tracker.progress(tp).commitPoint();
      if (c != null && !c.equals(committed.get(tp))) {
        offsets.put(tp, c);
      }
    }
    if (offsets.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, Long> written = new HashMap<>();
    try {
      if (sync) {
        Duration timeout = commitTimeout();
        try {
          consumer.commitSync(offsets, timeout);
        } catch (WakeupException e) {
          consumer.commitSync(offsets, timeout); // a wakeup left over from stop(); retry is real
        }
        committed.putAll(offsets);
        offsets.forEach((tp, o) -> written.put(tp, o.offset()));
      } else {
        // The callback runs on this thread, inside a later poll: only a commit Kafka confirmed
        // is remembered, so a failed one is sent again.
        consumer.commitAsync(
            offsets,
            (done, e) -> {
              if (e == null) {
                committed.putAll(done);
              } else {
                log.warn("offset commit failed, will retry: {}", e.toString());
              }
            });
      }
    } catch (RuntimeException e) {
      log.warn("offset commit failed: {}", e.toString());
    }
    return written;
  }

  /** A synchronous commit waits at most 10 s, and while stopping no longer than the bound. */
  private Duration commitTimeout() {
    long cap = 10_000;
    if (stopDeadline != Long.MAX_VALUE) {
      cap = Math.min(cap, Math.max(500, stopDeadline - clock.millis()));
    }
    return Duration.ofMillis(cap);
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits, bounded by the revoke grace and by a stop's deadline, for partitions' work. */
  private void awaitDrained(Collection<TopicPartition> partitions) {
    long deadline =
        Math.min(clock.millis() + revokeGrace.toMillis(), stopDeadline - CLOSE_RESERVE.toMillis());
    for (TopicPartition tp : partitions) {
      CommitTracker.Progress p = tracker.progress(tp);
      while (p.working() > 0 && clock.millis() < deadline) {
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
      limits.revoked(keys(partitions)); // deliveries waiting for their rate limit's turn let go
      if (!commitOnExit) {
        return;
      }
      awaitDrained(partitions);
      commit(partitions, true);
      for (TopicPartition tp : partitions) {
        tracker.revoke(tp);
        committed.remove(tp);
        forgetStopped(tp);
        resumed.remove(tp);
      }
      handler.revoked(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      limits.revoked(keys(partitions));
      for (TopicPartition tp : partitions) {
        tracker.revoke(tp);
        committed.remove(tp);
        forgetStopped(tp);
        resumed.remove(tp);
      }
      handler.revoked(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      limits.assigned(keys(partitions));
      for (TopicPartition tp : partitions) {
        tracker.assign(tp);
      }
      if (running && !partitions.isEmpty()) {
        handler.assigned(partitions); // what they need is ready before any record is handled
      }
      if (!running) {
        consumer.pause(partitions); // stopping: start nothing new
      } else if (!partitions.isEmpty()) {
        resume(partitions);
      }
    }

    /**
     * Reads what the previous owners finished past their commits, to skip it. Without it (the read
     * failed, or they wrote none) the work past the commits is done again, as at least once allows.
     */
    private void resume(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> commits;
      try {
        commits = consumer.committed(new HashSet<>(partitions), Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        log.warn(
            "could not read the committed offsets of {} partitions; work past them is done again:"
                + " {}",
            partitions.size(),
            e.toString());
        return;
      }
      List<String> skipping = new ArrayList<>();
      commits.forEach(
          (tp, c) -> {
            FinishedOffsets done =
                c == null ? null : FinishedOffsets.decode(c.offset(), c.metadata());
            if (done != null) {
              resumed.put(tp, done);
              skipping.add(tp + "@" + c.offset() + " (" + done.count() + ")");
            }
          });
      if (!skipping.isEmpty()) {
        log.info(
            "resuming {} partitions past records their previous owner finished after its last"
                + " commit; skipped offsets: {}",
            skipping.size(),
            skipping);
      }
    }
  }
}
