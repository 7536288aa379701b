package com.flintn.webhooks.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntPredicate;

/**
 * What the sink saw in P7 ({@link SlowTenant}), told by its request threads. The other accounts'
 * events carry {@code "seq"} (their place in the paced sequence) and the slow account's {@code
 * "slow"} (their place in the burst), both with {@code "produced_ns"}, the {@link System#nanoTime}
 * of their send. An other account's event counts when it arrives; a slow one when it is answered,
 * and every copy of it counts. Thread safe.
 */
final class TenantProbe implements Sink.Probe {
  private static final byte[] SEQ = ascii("\"seq\":");
  private static final byte[] SLOW = ascii("\"slow\":");
  private static final byte[] WARM = ascii("\"warm\":");
  private static final byte[] PRODUCED = ascii("\"produced_ns\":");

  private final AtomicLongArray produced;
  private final AtomicLongArray received;
  private final AtomicIntegerArray slowCopies;
  private final AtomicLongArray slowProduced;
  private final AtomicLongArray slowReceived;
  private final AtomicInteger slowDistinct = new AtomicInteger();
  private final AtomicLong slowLast = new AtomicLong();
  private final AtomicInteger warm = new AtomicInteger();

  TenantProbe(int paced, int burst) {
    produced = new AtomicLongArray(paced);
    received = new AtomicLongArray(paced);
    slowCopies = new AtomicIntegerArray(burst);
    slowProduced = new AtomicLongArray(burst);
    slowReceived = new AtomicLongArray(burst);
  }

  @Override
  public void received(byte[] body, long nanos) {
    long seq = Steady.field(body, SEQ);
    if (seq >= 0 && seq < produced.length()) {
      produced.set((int) seq, Steady.field(body, PRODUCED));
      received.compareAndSet((int) seq, 0, nanos);
      return;
    }
    long slow = Steady.field(body, SLOW);
    if (slow >= 0 && slow < slowCopies.length()) {
      long answered = System.nanoTime();
      if (slowCopies.incrementAndGet((int) slow) == 1) {
        slowProduced.set((int) slow, Steady.field(body, PRODUCED));
        slowReceived.set((int) slow, nanos);
        slowDistinct.incrementAndGet();
      }
      slowLast.accumulateAndGet(answered, Math::max);
      return;
    }
    if (Steady.field(body, WARM) >= 0) {
      warm.incrementAndGet();
    }
  }

  /** Warm-up events received. */
  int warm() {
    return warm.get();
  }

  /** Slow events received at least once. */
  int slowDistinct() {
    return slowDistinct.get();
  }

  /** Copies of slow events beyond the first. */
  int slowDuplicates() {
    int n = 0;
    for (int i = 0; i < slowCopies.length(); i++) {
      n += Math.max(0, slowCopies.get(i) - 1);
    }
    return n;
  }

  /** Slow events that arrived before they were sent: impossible unless events are mixed up. */
  int slowEarly() {
    int n = 0;
    for (int i = 0; i < slowReceived.length(); i++) {
      if (slowReceived.get(i) != 0 && slowReceived.get(i) < slowProduced.get(i)) {
        n++;
      }
    }
    return n;
  }

  /** When the last slow request was answered ({@link System#nanoTime}); 0 if none was. */
  long slowLastNanos() {
    return slowLast.get();
  }

  /** Whether every paced event in {@code [from, to)} has arrived. */
  boolean allIn(int from, int to) {
    for (int k = from; k < to; k++) {
      if (received.get(k) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Produce-to-received latencies of the paced events in {@code [from, to)} that {@code which}. */
  Latencies latencies(int from, int to, IntPredicate which) {
    double[] ms = new double[to - from];
    int n = 0;
    int expected = 0;
    for (int k = from; k < to; k++) {
      if (!which.test(k)) {
        continue;
      }
      expected++;
      if (received.get(k) != 0) {
        ms[n++] = (received.get(k) - produced.get(k)) / 1e6;
      }
    }
    ms = Arrays.copyOf(ms, n);
    Arrays.sort(ms);
    return new Latencies(ms, expected - n);
  }

  /**
   * The largest latency (ms) of the paced events in {@code [from, to)} that {@code which}, for each
   * second of sending; -1 for a second with none received.
   */
  List<Long> maxBySecond(int from, int to, int perSecond, IntPredicate which) {
    List<Long> out = new ArrayList<>();
    for (int start = from; start < to; start += perSecond) {
      long max = -1;
      for (int k = start; k < Math.min(to, start + perSecond); k++) {
        if (which.test(k) && received.get(k) != 0) {
          max = Math.max(max, (received.get(k) - produced.get(k)) / 1_000_000);
        }
      }
      out.add(max);
    }
    return out;
  }

  /** Sorted latencies (ms) of one group of events, and how many of the group never arrived. */
  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed
  record Latencies(double[] sortedMs, int missing) {
    double p99() {
      return Stats.percentile(sortedMs, 99);
    }

    Map<String, Object> asMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("received", sortedMs.length);
      m.put("missing", missing);
      m.put("p50_ms", Stats.percentile(sortedMs, 50));
      m.put("p99_ms", p99());
      m.put("p99_9_ms", Stats.percentile(sortedMs, 99.9));
      m.put("max_ms", sortedMs.length == 0 ? Double.NaN : sortedMs[sortedMs.length - 1]);
      m.put("over_100ms", Arrays.stream(sortedMs).filter(x -> x > 100).count());
      return m;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
