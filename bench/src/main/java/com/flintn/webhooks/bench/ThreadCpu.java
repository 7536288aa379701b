package com.flintn.webhooks.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CPU time of one live thread at a moment, and the split of CPU between two such snapshots by the
 * component each thread works for (benchmark P8).
 */
record ThreadCpu(String name, long nanos) {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU of the threads no component claims, by name (digits folded), for the notes. */
  static final Map<String, Long> OTHERS = new ConcurrentHashMap<>();

  static Map<Long, ThreadCpu> snapshot() {
    Map<Long, ThreadCpu> m = new HashMap<>();
    for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = THREADS.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) {
        m.put(info.getThreadId(), new ThreadCpu(info.getThreadName(), cpu));
      }
    }
    return m;
  }

  /** CPU used between two snapshots, by component; threads that ended in between are lost. */
  static Map<String, Long> byComponent(Map<Long, ThreadCpu> before, Map<Long, ThreadCpu> after) {
    return byComponent(before, after, new HashMap<>());
  }

  /**
   * The same, also adding each thread's CPU to {@code byThread} under its component and its name
   * with digits folded ({@code dispatcher: ForkJoinPool-N-worker-N}).
   */
  static Map<String, Long> byComponent(
      Map<Long, ThreadCpu> before, Map<Long, ThreadCpu> after, Map<String, Long> byThread) {
    Map<String, Long> m = new TreeMap<>();
    after.forEach(
        (id, t) -> {
          ThreadCpu b = before.get(id);
          long used = t.nanos() - (b == null ? 0 : b.nanos());
          String c = component(t.name());
          m.merge(c, used, Long::sum);
          byThread.merge(c + ": " + t.name().replaceAll("[0-9]+", "N"), used, Long::sum);
          if (c.equals("other") && used > 50_000_000L) {
            OTHERS.merge(t.name().replaceAll("[0-9]+", "N"), used, Long::sum);
          }
        });
    return m;
  }

  /**
   * The component a thread works for. Kafka client threads end in {@code | <client id>}; the
   * dispatcher's deliveries run on virtual threads, whose carriers are the fork-join workers.
   */
  static String component(String thread) {
    String client = thread.contains(" | ") ? thread.substring(thread.indexOf(" | ") + 3) : "";
    String t = client.isEmpty() ? thread : client;
    if (t.startsWith(WholeSystem.LOAD_CLIENT) || t.equals("main") || t.startsWith("HttpClient-")) {
      // the bench's own producer, its main thread, and its status polls of nginx
      return "load generator";
    }
    if (t.contains("endpoint-state")) {
      return "endpoint-state";
    }
    if (t.contains("retry") || t.contains("tier") || t.contains("scheduler")) {
      return "retry-scheduler";
    }
    if (t.startsWith("admin") || t.contains("attempt-log") || t.contains("replay")) {
      return "admin";
    }
    if (t.contains("dispatcher")
        || t.startsWith("ForkJoinPool")
        || t.startsWith("OkHttp")
        || t.startsWith("delivery")
        || t.startsWith("VirtualThread-")
        || t.startsWith("endpoint-view")) {
      return "dispatcher";
    }
    if (client.isEmpty()
        && (t.startsWith("data-plane")
            || t.startsWith("kafka-")
            || t.startsWith("broker-")
            || t.startsWith("group-coordinator")
            || t.startsWith("share-")
            || t.startsWith("quorum-controller")
            || t.startsWith("ExpirationReaper")
            || t.startsWith("TxnMarker")
            || t.startsWith("AddPartitionsToTxn")
            || t.startsWith("executor-")
            || t.startsWith("transaction")
            || t.startsWith("LogDirFailureHandler")
            || t.contains("raft"))) {
      return "broker";
    }
    return "other";
  }
}
