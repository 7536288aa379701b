package com.flintn.webhooks.bench;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import com.flintn.webhooks.common.time.Durations;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * P7: one account's slow but answering endpoint must not hold back the other accounts that share
 * its partition. Its endpoint answers every request after {@code delay} and gets a burst of events,
 * while twelve other accounts (instant 200) send a steady total rate. Events are keyed by account
 * id, as upstream services produce them; the twelve are chosen two to a partition, so two of them
 * share the slow account's partition. The figure is their produce-to-received p99 there against the
 * p99 of the ten on the other partitions, over the same window from the burst on.
 *
 * <p>With {@code awaitDrain}, the run then waits for the slow endpoint to receive the whole burst
 * and reports its rate against its ceiling (requests in flight per endpoint / delay). Without it (a
 * delay that would take hours to drain), it reports what was received and what waits in the
 * overflow lane when the window ends.
 */
final class SlowTenant {
  static final int PARTITIONS = 6;
  static final int OTHER_ACCOUNTS = 12;
  static final double TARGET_RATIO = 2;
  static final String TYPE = "bench.p7";
  static final AccountId SLOW = AccountId.of("acc_slow");

  /** Waiting for the others' last events after the window, and for duplicates after a drain. */
  private static final Duration GRACE = Duration.ofSeconds(10);

  /** A drain that delivers nothing for this long has failed. */
  private static final Duration NO_PROGRESS = Duration.ofSeconds(60);

  private final Rig rig;
  private final PrintStream out;

  SlowTenant(Rig rig, PrintStream out) {
    this.rig = rig;
    this.out = out;
  }

  /** The partition of {@code key} among {@code partitions} by Kafka's default partitioner. */
  static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(Rig.bytes(key))) % partitions;
  }

  /**
   * {@code n} account ids spread evenly, {@code n / partitions} to each partition (the first found
   * in order), so every partition, the slow account's included, carries the same share of them.
   */
  static List<AccountId> spread(int n, int partitions) {
    int per = n / partitions;
    int[] on = new int[partitions];
    List<AccountId> out = new ArrayList<>();
    for (int i = 0; out.size() < per * partitions; i++) {
      String id = "acc_tenant_" + i;
      int p = partitionOf(id, partitions);
      if (on[p] < per) {
        on[p]++;
        out.add(AccountId.of(id));
      }
    }
    return out;
  }

  /**
   * @param id the result's id
   * @param delay how long the slow endpoint takes to answer each request
   * @param burst the slow account's events, produced at once when the window starts
   * @param perSecond the other accounts' events per second, in total, round robin
   * @param warmup pacing before the burst, not measured
   * @param window the others' events measured, from the burst on
   * @param awaitDrain whether to wait for the slow endpoint to receive the whole burst
   */
  @SuppressWarnings("FutureReturnValueIgnored") // a record not written shows as missing in the run
  Result run(
      String id,
      Duration delay,
      int burst,
      int perSecond,
      Duration warmup,
      Duration window,
      boolean awaitDrain)
      throws Exception {
    rig.sink.latency(Duration.ZERO);
    String prefix = id.toLowerCase(Locale.ROOT);
    FlintnConfig c = rig.config(prefix, PARTITIONS);
    int slowPartition = partitionOf(SLOW.value(), PARTITIONS);
    List<AccountId> others = spread(OTHER_ACCOUNTS, PARTITIONS);
    boolean[] shared = new boolean[others.size()];
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < others.size(); i++) {
      shared[i] = partitionOf(others.get(i).value(), PARTITIONS) == slowPartition;
      eps.add(rig.endpoint("ep_" + prefix + "_" + i, others.get(i), "/" + prefix + "/" + i, TYPE));
    }
    String slowPath = "/" + prefix + "/slow";
    eps.add(rig.endpoint("ep_" + prefix + "_slow", SLOW, slowPath, TYPE));
    int inFlight = c.http().maxInFlightPerEndpoint();
    double ceiling = inFlight / (delay.toNanos() / 1e9);

    int warm = (int) (perSecond * warmup.toMillis() / 1000);
    int measured = (int) (perSecond * window.toMillis() / 1000);
    int total = warm + measured;
    long period = 1_000_000_000L / perSecond;
    TenantProbe seen = new TenantProbe(total, burst);
    MeterRegistry meters = new SimpleMeterRegistry();
    String topic = c.topicCatalog().events().name();
    String created = rig.clock.instant().toString();
    Map<String, Object> details = new LinkedHashMap<>();
    FutureTask<Long> burstSent = new FutureTask<>(() -> sendBurst(c, prefix, burst));
    long burstAt;
    long cpu0;
    long cpuWindow;
    boolean drained = false;
    try (DispatcherApp d = new DispatcherApp(c, rig.clock, meters);
        KafkaProducer<byte[], byte[]> p = Steady.pacedProducer(c)) {
      rig.sink.slow(slowPath, delay);
      rig.sink.probe(seen);
      rig.put(c, eps);
      d.start();
      // One event per other account first: the group has joined and the connections are open
      // before anything is measured, and each account's key is checked to land where it should.
      for (int i = 0; i < others.size(); i++) {
        RecordMetadata m =
            p.send(event(topic, prefix + "_w" + i, others.get(i), created, "{\"warm\":" + i + "}"))
                .get();
        int expected = partitionOf(others.get(i).value(), PARTITIONS);
        if (m.partition() != expected) {
          throw new IllegalStateException(
              others.get(i) + " went to partition " + m.partition() + ", not " + expected);
        }
      }
      awaitWarm(seen, others.size());

      long t0 = System.nanoTime() + 10_000_000;
      burstAt = t0 + warm * period;
      cpu0 = 0;
      for (int k = 0; k < total; k++) {
        long at = t0 + k * period;
        for (long wait; (wait = at - System.nanoTime()) > 0; ) {
          LockSupport.parkNanos(wait);
        }
        if (k == warm) {
          cpu0 = Scenarios.cpuNanos();
          burstAt = System.nanoTime();
          Thread.ofPlatform().name("bench-burst").start(burstSent);
          out.printf(
              Locale.ROOT,
              "  %s warm-up done (%d events); burst of %d to the %s endpoint, measuring %d s%n",
              id,
              warm,
              burst,
              Durations.format(delay),
              window.toSeconds());
        }
        String data = "{\"seq\":" + k + ",\"produced_ns\":" + System.nanoTime() + "}";
        p.send(event(topic, prefix + "_" + k, others.get(k % others.size()), created, data));
      }
      cpuWindow = Scenarios.cpuNanos() - cpu0;
      details.put("slow_received_in_window", seen.slowDistinct());
      details.put(
          "overflow_moved_in_window", (long) counter(meters, WebhookMetrics.OVERFLOW_MOVED));
      details.put(
          "overflow_backlog_at_window_end", (long) gauge(meters, WebhookMetrics.OVERFLOW_BACKLOG));
      details.put(
          "overflow_unfinished_by_offsets_at_window_end", overflowUnfinished(c, d.groupId()));
      long deadline = System.nanoTime() + GRACE.toNanos();
      while (System.nanoTime() < deadline && !seen.allIn(warm, total)) {
        Thread.sleep(20);
      }
      details.put("burst_produce_s", (burstSent.get() - burstAt) / 1e9);
      if (awaitDrain) {
        drained = awaitDrain(id, seen, burst, burstAt, burst / ceiling);
        Thread.sleep(GRACE.toMillis()); // a second copy of anything would arrive meanwhile
      }
      details.put("attempts_not_delivered", Scenarios.notDelivered(meters));
      details.put("overflow_moved", (long) counter(meters, WebhookMetrics.OVERFLOW_MOVED));
      details.put("overflow_backlog_at_end", (long) gauge(meters, WebhookMetrics.OVERFLOW_BACKLOG));
      // The slow endpoint's requests in flight would hold a graceful stop for up to its delay,
      // and nothing after this point is measured.
      d.halt();
    } finally {
      rig.sink.probe(null);
      rig.sink.slow(slowPath, null);
    }
    rig.drop(c);

    TenantProbe.Latencies sharedLat = seen.latencies(warm, total, k -> shared[k % others.size()]);
    TenantProbe.Latencies otherLat = seen.latencies(warm, total, k -> !shared[k % others.size()]);
    int slowReceived = seen.slowDistinct();
    int duplicates = seen.slowDuplicates();
    int early = seen.slowEarly();
    double ratio = sharedLat.p99() / otherLat.p99();
    int missing = sharedLat.missing() + otherLat.missing();

    details.put("slow_delay_ms", delay.toMillis());
    details.put("burst", burst);
    details.put("others_events_per_second", perSecond);
    details.put("warmup_events", warm);
    details.put("window_s", window.toSeconds());
    details.put("partitions", PARTITIONS);
    details.put("slow_account", SLOW.value());
    details.put("slow_partition", slowPartition);
    List<String> sharing = new ArrayList<>();
    for (int i = 0; i < others.size(); i++) {
      if (shared[i]) {
        sharing.add(others.get(i).value());
      }
    }
    details.put("accounts_sharing_slow_partition", sharing);
    details.put("shared_partition", sharedLat.asMap());
    details.put("other_partitions", otherLat.asMap());
    details.put(
        "shared_max_ms_by_second",
        seen.maxBySecond(warm, total, perSecond, k -> shared[k % others.size()]));
    details.put(
        "other_max_ms_by_second",
        seen.maxBySecond(warm, total, perSecond, k -> !shared[k % others.size()]));
    details.put("cpu_s_in_window", cpuWindow / 1e9);
    details.put("slow_received", slowReceived);
    details.put("slow_duplicates", duplicates);
    details.put("slow_received_before_produced", early);
    details.put("slow_ceiling_per_s", ceiling);
    details.put("drain_awaited", awaitDrain);
    String slowText;
    boolean slowOk;
    if (awaitDrain) {
      double drainS = (seen.slowLastNanos() - burstAt) / 1e9;
      double rate = slowReceived / drainS;
      details.put("slow_drain_s", drainS);
      details.put("slow_per_s", rate);
      details.put("slow_to_ceiling", rate / ceiling);
      details.put("slow_drain_theoretical_s", burst / ceiling);
      slowOk = slowReceived == burst && drained;
      slowText =
          String.format(
              Locale.ROOT,
              "slow endpoint got %d of %d in %.0f s (%.1f/s = %.2f of its %.0f/s ceiling)",
              slowReceived,
              burst,
              drainS,
              rate,
              rate / ceiling,
              ceiling);
    } else {
      slowOk = true;
      slowText =
          String.format(
              Locale.ROOT,
              "slow endpoint got %d of %d by the window's end, %d in the overflow lane (drain not"
                  + " awaited)",
              (int) details.get("slow_received_in_window"),
              burst,
              (long) details.get("overflow_backlog_at_window_end"));
    }
    boolean clean =
        duplicates == 0 && early == 0 && ((String) details.get("attempts_not_delivered")).isEmpty();
    boolean met = ratio <= TARGET_RATIO && missing == 0 && slowOk && clean;
    String note =
        String.format(
            Locale.ROOT,
            "others' p99 %.1f ms on its partition vs %.1f ms on the rest, %d missing; %s; %d"
                + " duplicates, %d early%s",
            sharedLat.p99(),
            otherLat.p99(),
            missing,
            slowText,
            duplicates,
            early,
            ((String) details.get("attempts_not_delivered")).isEmpty()
                ? ""
                : "; not delivered: " + details.get("attempts_not_delivered"));
    return new Result(
        id,
        String.format(
            Locale.ROOT,
            "one endpoint answers after %s, burst of %d; 12 other accounts at %d/s, %d s",
            Durations.format(delay),
            burst,
            perSecond,
            window.toSeconds()),
        "ms p99",
        List.of(
            new Result.Run(1, Result.Kind.VALUE, false, sharedLat.p99(), Double.NaN),
            new Result.Run(2, Result.Kind.BASELINE, false, otherLat.p99(), Double.NaN)),
        "the other accounts' p99 on the other 5 partitions, same window",
        awaitDrain
            ? "<= 2 x other partitions, 0 missing; slow gets all, once"
            : "<= 2 x other partitions, 0 missing; slow: none twice",
        met,
        note,
        details);
  }

  private static ProducerRecord<byte[], byte[]> event(
      String topic, String suffix, AccountId account, String created, String data) {
    return Rig.event(
        topic, "evt_" + suffix, account, TYPE, Rig.bytes(account.value()), created, data);
  }

  /**
   * Sends the slow account's burst at once from a producer of its own, so the paced producer keeps
   * its pace; returns when all were acknowledged ({@link System#nanoTime}).
   */
  @SuppressWarnings("FutureReturnValueIgnored") // a record not written shows as missing in the run
  private long sendBurst(FlintnConfig c, String prefix, int burst) {
    String topic = c.topicCatalog().events().name();
    String created = rig.clock.instant().toString();
    try (KafkaProducer<byte[], byte[]> p = Rig.producer(c)) {
      for (int i = 0; i < burst; i++) {
        String data = "{\"slow\":" + i + ",\"produced_ns\":" + System.nanoTime() + "}";
        p.send(event(topic, prefix + "_s" + i, SLOW, created, data));
      }
      p.flush();
    }
    return System.nanoTime();
  }

  private static void awaitWarm(TenantProbe seen, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (seen.warm() < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the dispatcher delivered " + seen.warm() + " of " + n + " warm-up events in 60 s");
      }
      Thread.sleep(10);
    }
  }

  /**
   * Waits until the slow endpoint has received all {@code burst} events; false if it stopped
   * receiving for {@link #NO_PROGRESS} or took twice its theoretical drain time and a minute.
   */
  private boolean awaitDrain(
      String id, TenantProbe seen, int burst, long burstAt, double theoreticalS)
      throws InterruptedException {
    long deadline = burstAt + (long) (2 * theoreticalS * 1e9) + NO_PROGRESS.toNanos();
    long progressAt = System.nanoTime();
    long reportAt = progressAt + Duration.ofSeconds(60).toNanos();
    int last = -1;
    while (seen.slowDistinct() < burst) {
      long now = System.nanoTime();
      int got = seen.slowDistinct();
      if (got != last) {
        last = got;
        progressAt = now;
      }
      if (now > deadline || now - progressAt > NO_PROGRESS.toNanos()) {
        out.printf(
            Locale.ROOT,
            "  %s slow endpoint stopped at %d of %d; not waiting longer%n",
            id,
            got,
            burst);
        return false;
      }
      if (now >= reportAt) {
        out.printf(
            Locale.ROOT,
            "  %s slow endpoint has %d of %d after %.0f s%n",
            id,
            got,
            burst,
            (now - burstAt) / 1e9);
        reportAt += Duration.ofSeconds(60).toNanos();
      }
      Thread.sleep(100);
    }
    return true;
  }

  /**
   * Deliveries in the overflow topic not yet committed past by the dispatcher's group: unread, or
   * read and unfinished. Independent of the dispatcher's own gauge, whose lag part goes stale while
   * the lane's partition is paused.
   */
  private long overflowUnfinished(FlintnConfig c, String group) throws Exception {
    String t = c.topicCatalog().overflow().name();
    try (Admin admin = rig.admin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int i = 0; i < PARTITIONS; i++) {
        latest.put(new TopicPartition(t, i), OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get();
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      long n = 0;
      for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
        OffsetAndMetadata o = committed.get(e.getKey());
        n += e.getValue().offset() - (o == null ? 0 : o.offset());
      }
      return n;
    }
  }

  private static double counter(MeterRegistry m, String name) {
    Counter c = m.find(name).counter();
    return c == null ? 0 : c.count();
  }

  private static double gauge(MeterRegistry m, String name) {
    Gauge g = m.find(name).gauge();
    return g == null ? 0 : g.value();
  }
}
