package com.flintn.webhooks.dispatcher.consume;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Tracks which consumed offsets are finished, per partition, so that the committed offset never
 * passes an unfinished record (docs/design.md §6). Records finish in any order; the committable
 * offset is the lowest unfinished one, or one past the highest seen when all are finished; what is
 * finished past it goes into the commit's metadata ({@link FinishedOffsets}). Thread safe: records
 * are begun on the poll thread and finished on producer callback threads.
 */
final class CommitTracker {
  private final Map<TopicPartition, Progress> partitions = new ConcurrentHashMap<>();

  /** One partition's unfinished offsets; guarded by its own monitor. */
  static final class Progress {
    private final TreeSet<Long> pending = new TreeSet<>();

    /** Unfinished offsets whose work was abandoned by a stop: nothing will finish them. */
    private final TreeSet<Long> abandoned = new TreeSet<>();

    private long next = -1;

    synchronized void begin(long offset) {
      pending.add(offset);
      next = Math.max(next, offset + 1);
    }

    synchronized void finish(long offset) {
      pending.remove(offset);
      abandoned.remove(offset);
    }

    /**
     * The work of {@code offset} was given up by a stop: it stays unfinished (never committed
     * past), but no longer counts as {@link #working()}.
     */
    synchronized void abandon(long offset) {
      if (pending.contains(offset)) {
        abandoned.add(offset);
      }
    }

    synchronized int inFlight() {
      return pending.size();
    }

    /** Records begun and neither finished nor abandoned: what a stop may still wait for. */
    synchronized int working() {
      return pending.size() - abandoned.size();
    }

    synchronized OptionalLong committable() {
      if (next < 0) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(pending.isEmpty() ? next : pending.first());
    }

    /**
     * The commit for this partition: {@link #committable()}, with the records finished past it in
     * the metadata; null before the first record.
     */
    synchronized @Nullable OffsetAndMetadata commitPoint() {
      if (next < 0) {
        return null;
      }
      if (pending.isEmpty()) {
        return new OffsetAndMetadata(next);
      }
      long[] unfinished = pending.stream().mapToLong(Long::longValue).toArray();
      return new OffsetAndMetadata(
          unfinished[0], FinishedOffsets.encode(unfinished, next, FinishedOffsets.MAX_CHARS));
    }
  }

  /** Starts tracking {@code tp} (after an assignment); returns its progress. */
  Progress assign(TopicPartition tp) {
    Progress p = new Progress();
    partitions.put(tp, p);
    return p;
  }

  /** Stops tracking {@code tp}; in-flight work may still finish on the detached progress. */
  void revoke(TopicPartition tp) {
    partitions.remove(tp);
  }

  Progress progress(TopicPartition tp) {
    return partitions.computeIfAbsent(tp, t -> new Progress());
  }

  Map<TopicPartition, Progress> all() {
    return partitions;
  }
}
