package com.flintn.webhooks.dispatcher.consume;

import java.util.Arrays;
import java.util.Map;
import java.util.OptionalLong;
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

  /**
   * One partition's unfinished offsets; guarded by its own monitor. Records are begun in offset
   * order (the order the consumer returns them), so the offsets begun and not yet finished are kept
   * in one sorted array with a state each, and a finish is a binary search: no boxed offsets and no
   * tree nodes for each of the window's records, on the poll thread and on the producer's callback
   * thread. An offset begun out of order (not expected, but harmless) is inserted in its place.
   */
  static final class Progress {
    private static final byte UNFINISHED = 0;
    private static final byte ABANDONED = 1;
    private static final byte FINISHED = 2;

    /** Offsets begun, sorted; {@code [head, tail)} is in use; the first is unfinished. */
    private long[] offsets = new long[64];

    private byte[] states = new byte[64];
    private int head;
    private int tail;

    /** Entries of {@code [head, tail)} not finished (abandoned ones included). */
    private int unfinished;

    /** Abandoned entries: unfinished work that nothing will finish. */
    private int abandoned;

    private long next = -1;

    synchronized void begin(long offset) {
      if (tail == offsets.length) {
        makeRoom();
      }
      if (head == tail || offsets[tail - 1] < offset) {
        offsets[tail] = offset;
        states[tail] = UNFINISHED;
        tail++;
        unfinished++;
      } else {
        insert(offset);
      }
      next = Math.max(next, offset + 1);
    }

    synchronized void finish(long offset) {
      int i = indexOf(offset);
      if (i < 0 || states[i] == FINISHED) {
        return;
      }
      if (states[i] == ABANDONED) {
        abandoned--;
      }
      states[i] = FINISHED;
      unfinished--;
      while (head < tail && states[head] == FINISHED) {
        head++;
      }
      if (head == tail) {
        head = tail = 0;
      }
    }

    /**
     * The work of {@code offset} was given up by a stop: it stays unfinished (never committed
     * past), but no longer counts as {@link #working()}.
     */
    synchronized void abandon(long offset) {
      int i = indexOf(offset);
      if (i >= 0 && states[i] == UNFINISHED) {
        states[i] = ABANDONED;
        abandoned++;
      }
    }

    synchronized int inFlight() {
      return unfinished;
    }

    /** Records begun and neither finished nor abandoned: what a stop may still wait for. */
    synchronized int working() {
      return unfinished - abandoned;
    }

    synchronized OptionalLong committable() {
      if (next < 0) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(unfinished == 0 ? next : offsets[head]);
    }

    /**
     * The commit for this partition: {@link #committable()}, with the records finished past it in
     * the metadata; null before the first record.
     */
    synchronized @Nullable OffsetAndMetadata commitPoint() {
      if (next < 0) {
        return null;
      }
      if (unfinished == 0) {
        return new OffsetAndMetadata(next);
      }
      long[] open = new long[unfinished];
      int n = 0;
      for (int i = head; i < tail; i++) {
        if (states[i] != FINISHED) {
          open[n++] = offsets[i];
        }
      }
      return new OffsetAndMetadata(
          open[0], FinishedOffsets.encode(open, next, FinishedOffsets.MAX_CHARS));
    }

    private int indexOf(long offset) {
      int i = Arrays.binarySearch(offsets, head, tail, offset);
      return i >= head ? i : -1;
    }

    /** Moves the entries in use to the front, or grows the arrays when they are mostly in use. */
    private void makeRoom() {
      int size = tail - head;
      if (size > offsets.length / 2) {
        offsets = Arrays.copyOf(offsets, offsets.length * 2);
        states = Arrays.copyOf(states, states.length * 2);
      }
      System.arraycopy(offsets, head, offsets, 0, size);
      System.arraycopy(states, head, states, 0, size);
      head = 0;
      tail = size;
    }

    private void insert(long offset) {
      int i = Arrays.binarySearch(offsets, head, tail, offset);
      if (i >= head) {
        if (states[i] == FINISHED) { // begun again after it finished: unfinished again
          states[i] = UNFINISHED;
          unfinished++;
        }
        return;
      }
      int at = -i - 1;
      System.arraycopy(offsets, at, offsets, at + 1, tail - at);
      System.arraycopy(states, at, states, at + 1, tail - at);
      offsets[at] = offset;
      states[at] = UNFINISHED;
      tail++;
      unfinished++;
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
