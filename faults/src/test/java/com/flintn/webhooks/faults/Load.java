package com.flintn.webhooks.faults;

import com.flintn.webhooks.testkit.Endpoints;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Upstream traffic: events at a steady rate from a background thread, round robin over the event
 * types, keyed over 32 keys so they spread over every partition. Only events the broker
 * acknowledged count as sent; the rest are upstream's failure to produce and are reported apart.
 */
final class Load implements AutoCloseable {
  private final FaultRig rig;
  private final List<String> types;
  private final String account;
  private final Map<String, String> acked = new ConcurrentHashMap<>();
  private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
  private final Map<String, Integer> partitions = new ConcurrentHashMap<>();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger attempted = new AtomicInteger();
  private final Thread thread;
  private volatile boolean stop;

  private static final AtomicInteger RUNS = new AtomicInteger();
  private final int tag = RUNS.incrementAndGet();
  final long startMillis = System.currentTimeMillis();

  private Load(FaultRig rig, List<String> types, String account, int perSecond, long millis) {
    this.rig = rig;
    this.types = types;
    this.account = account;
    this.thread =
        Thread.ofPlatform()
            .name("load-" + rig.prefix())
            .daemon()
            .start(() -> run(perSecond, millis));
  }

  static Load start(FaultRig rig, List<String> types, int perSecond, long millis) {
    return new Load(rig, types, FaultRig.ACCOUNT, perSecond, millis);
  }

  /** As {@link #start(FaultRig, List, int, long)}, with events of {@code account}. */
  static Load start(FaultRig rig, List<String> types, String account, int perSecond, long millis) {
    return new Load(rig, types, account, perSecond, millis);
  }

  private void run(int perSecond, long millis) {
    long start = System.nanoTime();
    long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
    for (int i = 0; !stop; i++) {
      long at = start + i * interval;
      if (millis != Long.MAX_VALUE && at - start >= TimeUnit.MILLISECONDS.toNanos(millis)) {
        break;
      }
      long wait = at - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      }
      String id = "evt_" + tag + "_" + i;
      String type = types.get(i % types.size());
      attempted.incrementAndGet();
      sentAt.put(id, System.currentTimeMillis());
      rig.producer()
          .send(
              new ProducerRecord<>(
                  rig.topics().events().name(),
                  FaultRig.utf8("k" + (i % 32)),
                  FaultRig.utf8(Endpoints.event(id, type, account))),
              (meta, error) -> {
                if (error == null) {
                  partitions.put(id, meta.partition());
                  acked.put(id, type);
                } else {
                  failed.incrementAndGet();
                }
              });
    }
  }

  /** Waits for the producing thread to finish and every send to be answered. */
  void await() throws InterruptedException {
    thread.join();
    rig.producer().flush();
  }

  /** {@link #await()}, then {@link #acked()}. */
  Map<String, String> awaitAndGet() throws InterruptedException {
    await();
    return acked();
  }

  /** Event id to event type, for every event the broker acknowledged. */
  Map<String, String> acked() {
    return Map.copyOf(acked);
  }

  /** When each event was handed to the producer, in epoch millis. */
  Map<String, Long> sentAt() {
    return Map.copyOf(sentAt);
  }

  /** The events partition each acknowledged event was written to. */
  Map<String, Integer> partitions() {
    return Map.copyOf(partitions);
  }

  int failed() {
    return failed.get();
  }

  int attempted() {
    return attempted.get();
  }

  /** Stops producing and waits for every send to be answered. */
  @Override
  public void close() {
    stop = true;
    try {
      await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
