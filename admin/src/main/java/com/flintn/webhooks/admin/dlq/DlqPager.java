package com.flintn.webhooks.admin.dlq;

import com.flintn.webhooks.common.kafka.Offsets;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Pages through the dead letters a filter selects, newest first, reading a bounded number of
 * records per page. A page reads, on every partition not yet exhausted, the stretch just below
 * where the previous page stopped ({@code budget} records shared among them), and returns at most
 * {@code limit} of the matches, newest first. The cursor holds, per partition, the offset below
 * which the next page reads, so every record is returned exactly once across the pages, and a page
 * that found fewer matches than its limit (even none) can still be followed by another. Records
 * written after the first page are not part of the selection. Memory per page: at most {@code
 * limit} summaries per partition.
 */
public final class DlqPager {
  /** A cursor that this pager did not write, or that names partitions the topic does not have. */
  public static final class BadCursor extends IllegalArgumentException {
    @Serial private static final long serialVersionUID = 1L;

    BadCursor() {
      super("cursor is not one this API returned; start again without it");
    }
  }

  /** One page: the kept summaries, newest first, and the cursor of the next page, if any. */
  public record Page<T>(List<T> data, Optional<String> nextCursor, long recordsRead) {}

  private record Kept<T>(int partition, long offset, long atMillis, T value) {}

  private final DlqReader reader;
  private final int budget;

  /**
   * @param budget records read per page at most (rounded up to one per partition)
   */
  public DlqPager(DlqReader reader, int budget) {
    this.reader = reader;
    this.budget = budget;
  }

  /**
   * The page {@code cursor} points at (the first without), of at most {@code limit} summaries that
   * {@code keep} makes of the dead letters {@code filter} selects.
   *
   * @throws BadCursor if {@code cursor} is not one a page returned
   * @throws org.apache.kafka.common.errors.TimeoutException when the broker does not answer
   */
  public <T> Page<T> page(
      DlqFilter filter, Optional<String> cursor, int limit, Function<DeadLetter, T> keep) {
    List<TopicPartition> partitions = reader.partitions();
    Map<TopicPartition, Long> low = reader.startOffsets(partitions, filter.since());
    Map<TopicPartition, Long> end = reader.endOffsets(partitions);
    Map<TopicPartition, Long> high = cursor.isPresent() ? decode(cursor.get(), partitions) : end;
    high.replaceAll((tp, hi) -> Math.min(hi, Offsets.of(end, tp)));
    high.entrySet().removeIf(e -> e.getValue() <= Offsets.of(low, e.getKey()));
    if (high.isEmpty()) {
      return new Page<>(List.of(), Optional.empty(), 0);
    }
    int chunk = Math.max(1, budget / high.size());
    Map<TopicPartition, long[]> ranges = new HashMap<>();
    high.forEach(
        (tp, hi) -> ranges.put(tp, new long[] {Math.max(Offsets.of(low, tp), hi - chunk), hi}));

    // Per partition, the last `limit` matches of its stretch (the newest), in offset order.
    Map<Integer, ArrayDeque<Kept<T>>> kept = new HashMap<>();
    Map<Integer, Long> matched = new HashMap<>();
    DlqReader.Stats stats =
        reader.read(
            ranges,
            filter,
            d -> {
              ArrayDeque<Kept<T>> q = kept.computeIfAbsent(d.partition(), p -> new ArrayDeque<>());
              if (q.size() == limit) {
                q.removeFirst();
              }
              q.addLast(
                  new Kept<>(d.partition(), d.offset(), d.at().toEpochMilli(), keep.apply(d)));
              matched.merge(d.partition(), 1L, Long::sum);
            });

    // Newest first across partitions; within a partition strictly by offset, descending, so
    // what a page returns of a partition is always its top and the rest lies below the cursor.
    Comparator<Kept<T>> newestFirst =
        Comparator.comparingLong((Kept<T> k) -> k.atMillis())
            .thenComparingInt(Kept::partition)
            .thenComparingLong(Kept::offset)
            .reversed();
    PriorityQueue<PeekIterator<Kept<T>>> heads =
        new PriorityQueue<>((a, b) -> newestFirst.compare(a.peek(), b.peek()));
    for (ArrayDeque<Kept<T>> q : kept.values()) {
      heads.add(new PeekIterator<>(q.descendingIterator()));
    }
    List<T> data = new ArrayList<>();
    Map<Integer, Long> lowestReturned = new HashMap<>();
    Map<Integer, Long> returned = new HashMap<>();
    while (data.size() < limit && !heads.isEmpty()) {
      PeekIterator<Kept<T>> it = heads.poll();
      Kept<T> k = it.next();
      data.add(k.value());
      lowestReturned.put(k.partition(), k.offset());
      returned.merge(k.partition(), 1L, Long::sum);
      if (it.hasNext()) {
        heads.add(it);
      }
    }

    Map<TopicPartition, Long> next =
        new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
    ranges.forEach(
        (tp, r) -> {
          int p = tp.partition();
          long all = matched.getOrDefault(p, 0L);
          long given = returned.getOrDefault(p, 0L);
          long below;
          if (given == all) {
            below = r[0]; // the whole stretch is done
          } else if (given > 0) {
            below =
                Objects.requireNonNull(
                    lowestReturned.get(p)); // the rest of its matches lie below this
          } else {
            below = r[1]; // none returned: the stretch is read again
          }
          if (below > Offsets.of(low, tp)) {
            next.put(tp, below);
          }
        });
    return new Page<>(
        data, next.isEmpty() ? Optional.empty() : Optional.of(encode(next)), stats.recordsRead());
  }

  static String encode(Map<TopicPartition, Long> below) {
    StringBuilder s = new StringBuilder("v1");
    below.forEach((tp, o) -> s.append(';').append(tp.partition()).append(':').append(o));
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.toString().getBytes(StandardCharsets.UTF_8));
  }

  static Map<TopicPartition, Long> decode(String cursor, List<TopicPartition> partitions) {
    Map<Integer, TopicPartition> byNumber = new HashMap<>();
    partitions.forEach(tp -> byNumber.put(tp.partition(), tp));
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadCursor();
    }
    String[] parts = text.split(";", -1);
    if (cursor.length() > 4096 || !parts[0].equals("v1") || parts.length < 2) {
      throw new BadCursor();
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    for (int i = 1; i < parts.length; i++) {
      String[] po = parts[i].split(":", -1);
      try {
        TopicPartition tp = po.length == 2 ? byNumber.get(Integer.parseInt(po[0])) : null;
        long offset = po.length == 2 ? Long.parseLong(po[1]) : -1;
        if (tp == null || offset < 0 || out.put(tp, offset) != null) {
          throw new BadCursor();
        }
      } catch (NumberFormatException e) {
        throw new BadCursor();
      }
    }
    return out;
  }

  /** An iterator that can show its next element without taking it. */
  private static final class PeekIterator<E> implements Iterator<E> {
    private final Iterator<E> it;
    private @Nullable E next;

    PeekIterator(Iterator<E> it) {
      this.it = it;
      this.next = it.hasNext() ? it.next() : null;
    }

    @Nullable E peek() {
      return next;
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public E next() {
      E e = next;
      if (e == null) {
        throw new NoSuchElementException();
      }
      next = it.hasNext() ? it.next() : null;
      return e;
    }
  }
}
