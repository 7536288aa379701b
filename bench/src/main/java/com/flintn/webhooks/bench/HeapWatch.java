package com.flintn.webhooks.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The JVM's used heap after each garbage collection, as the collectors report it, without forcing
 * any; and the live heap after a full collection on demand, for the quiet moments before and after
 * a measurement. Thread safe.
 */
final class HeapWatch implements AutoCloseable {
  /** Wall-clock time: what the benchmark measures against (the scheduler uses it too). */
  private static final Clock CLOCK = Clock.systemUTC();

  /** Used heap after one collection, at {@code atMillis} (epoch). */
  record Sample(long atMillis, long usedBytes) {}

  private final List<Sample> samples = new ArrayList<>();
  private final Set<String> heapPools = new HashSet<>();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onNotification;

  HeapWatch() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter e) {
        e.addNotificationListener(listener, null, null);
        emitters.add(e);
      }
    }
  }

  private void onNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    synchronized (samples) {
      samples.add(new Sample(CLOCK.millis(), used));
    }
  }

  /** Samples taken between {@code fromMillis} (inclusive) and {@code toMillis} (exclusive). */
  List<Sample> between(long fromMillis, long toMillis) {
    synchronized (samples) {
      return samples.stream()
          .filter(s -> s.atMillis() >= fromMillis && s.atMillis() < toMillis)
          .toList();
    }
  }

  /** Used heap after a full collection: the live data of the whole JVM. */
  static long liveAfterFullGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Override
  public void close() {
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(listener);
      } catch (ListenerNotFoundException ignored) {
        // already gone
      }
    }
  }
}
