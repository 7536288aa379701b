package com.flintn.webhooks.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.message.Origin;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * P5: a backlog of pending retries spread evenly over the delay tiers (the product's default tiers,
 * 5m to 24h), written to the tier topics as the dispatcher writes them, then moved by the real
 * retry scheduler.
 *
 * <p>Each tier's first records fall due during the measured window, one every {@code tiers x 1000 /
 * perSecond} ms, the tiers interleaved, so {@code perSecond} fall due each second; the rest fall
 * due only after the window and stay pending. A record is written as the dispatcher would have
 * written it one tier delay before it falls due: its timestamp is its due time minus the tier's
 * delay and its {@code due-at} header the due time.
 *
 * <p>A reader of {@code deliveries.due} (read_committed) takes every moved record's {@code due-at}
 * and {@code moved-at} headers and the time it became readable, so lateness is measured per record,
 * both as the scheduler stamps it and as the dispatcher would see it. The heap is the whole JVM's
 * (broker, reader and scheduler together), so a flat figure bounds the scheduler's.
 */
final class RetryBacklog {
  /** Wall-clock time: what the benchmark measures against (the scheduler uses it too). */
  private static final Clock CLOCK = Clock.systemUTC();

  static final long TARGET_P99_MS = 1000;
  private static final Duration GRACE = Duration.ofSeconds(5);
  private static final Duration PENDING_AFTER = Duration.ofSeconds(30);
  private static final Duration PENDING_SPREAD = Duration.ofMinutes(2);

  private final Rig rig;
  private final PrintStream out;

  RetryBacklog(Rig rig, PrintStream out) {
    this.rig = rig;
    this.out = out;
  }

  Result run(int pending, int perSecond, Duration window) throws Exception {
    FlintnConfig c = rig.config("p5", 6);
    TopicCatalog cat = c.topicCatalog();
    int tiers = cat.tiers().size();
    int perTier = pending / tiers;
    int inWindow = (int) Math.min(perTier, (long) perSecond * window.toMillis() / 1000 / tiers);
    double spacing = tiers * 1000.0 / perSecond;
    // Writing runs at 15,000 to 40,000 records a second here, slower when the machine is busy;
    // leave room for that and for the scheduler's start. Records that fall due before the
    // scheduler is running anyway are moved but not measured (see measureFrom).
    long t0 = CLOCK.millis() + 15_000 + pending / 12;
    long windowEnd = t0 + window.toMillis();

    long writeStart = System.nanoTime();
    write(c, perTier, inWindow, spacing, t0, windowEnd);
    double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
    out.printf(
        Locale.ROOT,
        "  P5 wrote %,d pending retries in %.1f s; window starts in %.1f s%n",
        perTier * tiers,
        writeSeconds,
        (t0 - CLOCK.millis()) / 1e3);

    Reader reader = new Reader(c, tiers, inWindow, t0, spacing);
    Thread readerThread = Thread.ofPlatform().name("bench-due-reader").start(reader);
    Map<String, Object> details = new LinkedHashMap<>();
    long[] heap = new long[2];
    List<HeapWatch.Sample> during;
    long cpuWindow;
    long movedInWindow;
    long measureFrom;
    try (HeapWatch watch = new HeapWatch();
        RetrySchedulerApp scheduler = new RetrySchedulerApp(c, rig.clock)) {
      scheduler.start();
      awaitAssigned(RetrySchedulerApp.groupId(c));
      long readyLead = t0 - CLOCK.millis();
      heap[0] = HeapWatch.liveAfterFullGc();
      measureFrom = Math.max(t0, CLOCK.millis() + 2_000);
      sleepUntil(t0);
      long cpu0 = Scenarios.cpuNanos();
      long moved0 = scheduler.moved();
      sleepUntil(windowEnd);
      cpuWindow = Scenarios.cpuNanos() - cpu0;
      movedInWindow = scheduler.moved() - moved0;
      sleepUntil(windowEnd + GRACE.toMillis());
      heap[1] = HeapWatch.liveAfterFullGc();
      during = watch.between(t0, windowEnd);
      details.put("scheduler_ready_before_window_s", readyLead / 1e3);
    } finally {
      reader.stop();
      readerThread.join(10_000);
      rig.drop(c);
    }

    double[] moved = reader.lateness(true, measureFrom);
    double[] visible = reader.lateness(false, measureFrom);
    int expected = reader.planned(measureFrom);
    int missing = expected - visible.length;
    double p99 = Stats.percentile(visible, 99);
    long[] thirds = thirds(during, t0, windowEnd);
    long mb = 1024 * 1024;
    boolean flat = heap[1] <= heap[0] + Math.max(64 * mb, heap[0] / 4);
    details.put("pending", perTier * tiers);
    details.put("tiers", cat.tiers().stream().map(Duration::toString).toList());
    details.put("due_per_second", perSecond);
    details.put("window_s", window.toSeconds());
    details.put("due_in_window", inWindow * tiers);
    details.put("measured", expected);
    details.put("due_before_scheduler_ready", inWindow * tiers - expected);
    details.put("write_s", writeSeconds);
    details.put("moved_in_window", movedInWindow);
    details.put("seen", visible.length);
    details.put("missing", missing);
    details.put("duplicates", reader.duplicates.get());
    details.put("moved_before_due", reader.early.get());
    details.put("moved_outside_window", reader.outside.get());
    details.put("lateness_moved_at_p50_ms", Stats.percentile(moved, 50));
    details.put("lateness_moved_at_p99_ms", Stats.percentile(moved, 99));
    details.put("lateness_moved_at_max_ms", last(moved));
    details.put("lateness_readable_p50_ms", Stats.percentile(visible, 50));
    details.put("lateness_readable_p99_ms", p99);
    details.put("lateness_readable_max_ms", last(visible));
    details.put("lateness_readable_max_ms_by_second", reader.maxBySecond(measureFrom, windowEnd));
    details.put("heap_live_start_mb", heap[0] / mb);
    details.put("heap_after_gc_min_first_third_mb", thirds[0] / mb);
    details.put("heap_after_gc_min_middle_third_mb", thirds[1] / mb);
    details.put("heap_after_gc_min_last_third_mb", thirds[2] / mb);
    details.put("heap_after_gc_max_window_mb", thirds[3] / mb);
    details.put("gc_count_window", during.size());
    details.put("heap_live_end_mb", heap[1] / mb);
    details.put("heap_flat", flat);
    String note =
        String.format(
            Locale.ROOT,
            "readable: p50 %.0f ms, p99 %.0f ms, max %.0f ms; moved-at: p50 %.0f, p99 %.0f, max"
                + " %.0f ms; %d early, %d missing, %d duplicates; live heap %d -> %d MB"
                + " (after-GC minimum by thirds %d/%d/%d MB)",
            Stats.percentile(visible, 50),
            p99,
            last(visible),
            Stats.percentile(moved, 50),
            Stats.percentile(moved, 99),
            last(moved),
            reader.early.get(),
            missing,
            reader.duplicates.get(),
            heap[0] / mb,
            heap[1] / mb,
            thirds[0] / mb,
            thirds[1] / mb,
            thirds[2] / mb);
    return Result.single(
        "P5",
        String.format(
            Locale.ROOT,
            "%,d pending retries over %d tiers, %,d due/s for %d s",
            perTier * tiers,
            tiers,
            perSecond,
            window.toSeconds()),
        "ms lateness p99",
        p99,
        cpuWindow / 1e6 / Math.max(1, movedInWindow) * 1000,
        "p99 <= 1 s, none early, heap flat",
        p99 <= TARGET_P99_MS && reader.early.get() == 0 && missing == 0 && flat,
        note,
        details);
  }

  /** Writes every tier's records in due order: the window's first, then the ones after it. */
  private void write(
      FlintnConfig c, int perTier, int inWindow, double spacing, long t0, long windowEnd)
      throws Exception {
    TopicCatalog cat = c.topicCatalog();
    int tiers = cat.tiers().size();
    ObjectNode data = Json.mapper().createObjectNode().put("amount", 4200).put("currency", "EUR");
    Properties props = KafkaClients.producer(c.kafka(), "bench-p5-writer");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    try (KafkaProducer<byte[], byte[]> p =
            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        ExecutorService pool = Executors.newFixedThreadPool(tiers)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < tiers; t++) {
        int tier = t;
        // one thread per tier topic, so each partition still gets its records in due order
        done.add(
            pool.submit(
                () -> writeTier(p, cat, tier, perTier, inWindow, spacing, t0, windowEnd, data)));
      }
      for (Future<?> f : done) {
        f.get();
      }
      p.flush();
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // a record not written shows as missing in the run
  private static void writeTier(
      KafkaProducer<byte[], byte[]> p,
      TopicCatalog cat,
      int t,
      int perTier,
      int inWindow,
      double spacing,
      long t0,
      long windowEnd,
      ObjectNode data) {
    int tiers = cat.tiers().size();
    String created = Instant.ofEpochMilli(t0).minus(Duration.ofDays(1)).toString();
    Topic<String, Delivery> topic = cat.retryTier(t);
    long delay = cat.tiers().get(t).toMillis();
    int rest = perTier - inWindow;
    double afterSpacing = rest == 0 ? 0 : (double) PENDING_SPREAD.toMillis() / rest;
    long afterStart = windowEnd + PENDING_AFTER.toMillis();
    for (int j = 0; j < perTier; j++) {
      long dueAt =
          j < inWindow
              ? t0 + Math.round(t * spacing / tiers + j * spacing)
              : afterStart + Math.round((j - inWindow) * afterSpacing);
      EndpointId endpoint = EndpointId.of("ep_p5_" + (j % 97));
      Event e =
          new Event(
              EventId.of("evt_p5_" + t + "_" + j), Rig.type(j % 10), Rig.ACCOUNT, created, data);
      Instant first = Instant.ofEpochMilli(dueAt - delay - 1000);
      Delivery d =
          new Delivery(
              Delivery.idFor(e.eventId(), endpoint),
              endpoint,
              t + 2,
              first,
              "http_503",
              e,
              new Origin(cat.events().name(), j % 6, j));
      RecordHeaders h = new RecordHeaders();
      h.add(HeaderNames.DUE_AT, utf8(String.valueOf(dueAt)));
      h.add(HeaderNames.ATTEMPTS, utf8(String.valueOf(t + 1)));
      h.add(HeaderNames.ENDPOINT_ID, utf8(endpoint.value()));
      h.add(HeaderNames.EVENT_ID, utf8(e.eventId().value()));
      p.send(
          new ProducerRecord<>(
              topic.name(),
              null,
              dueAt - delay,
              utf8(endpoint.value()),
              topic.valueSerde().serializer().serialize(topic.name(), d),
              h));
    }
  }

  private void awaitAssigned(String groupId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (Admin admin = rig.admin()) {
      while (System.nanoTime() < deadline) {
        ConsumerGroupDescription g;
        try {
          g = admin.describeConsumerGroups(List.of(groupId)).all().get().get(groupId);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof GroupIdNotFoundException)) {
            throw e;
          }
          g = null; // not joined yet
        }
        if (g != null
            && g.members().stream().anyMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
          return;
        }
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("the retry scheduler got no partitions within 60 s");
  }

  /**
   * The smallest used-after-GC figure in each third of the window (the closest to live data a young
   * collection reports), and the largest of all; 0 where a third saw no collection.
   */
  private static long[] thirds(List<HeapWatch.Sample> samples, long from, long to) {
    long[] r = new long[4];
    long third = Math.max(1, (to - from) / 3);
    for (int i = 0; i < 3; i++) {
      long a = from + i * third;
      long b = i == 2 ? to : a + third;
      r[i] =
          samples.stream()
              .filter(s -> s.atMillis() >= a && s.atMillis() < b)
              .mapToLong(HeapWatch.Sample::usedBytes)
              .min()
              .orElse(0);
    }
    r[3] = samples.stream().mapToLong(HeapWatch.Sample::usedBytes).max().orElse(0);
    return r;
  }

  private static double last(double[] sorted) {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
  }

  private static void sleepUntil(long epochMillis) throws InterruptedException {
    for (long wait; (wait = epochMillis - CLOCK.millis()) > 0; ) {
      Thread.sleep(Math.min(wait, 200));
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static long header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    if (h == null) {
      return Long.MIN_VALUE;
    }
    try {
      return Long.parseLong(new String(h.value(), StandardCharsets.UTF_8).trim());
    } catch (NumberFormatException e) {
      return Long.MIN_VALUE;
    }
  }

  /**
   * Reads {@code deliveries.due} from the beginning and keeps, for every record due in the window,
   * its lateness by the {@code moved-at} header and by the time it became readable.
   */
  private static final class Reader implements Runnable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final int inWindow;
    private final long[] plannedDue;
    private final long[] movedLate;
    private final long[] readableLate;
    private final boolean[] seen;
    final AtomicLong early = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong outside = new AtomicLong();
    private volatile boolean running = true;

    Reader(FlintnConfig c, int tiers, int inWindow, long t0, double spacing) {
      Properties p = KafkaClients.reader(c.kafka());
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
      this.consumer =
          new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      this.topic = c.topicCatalog().deliveriesDue().name();
      this.inWindow = inWindow;
      this.plannedDue = new long[tiers * inWindow];
      for (int t = 0; t < tiers; t++) {
        for (int j = 0; j < inWindow; j++) {
          plannedDue[t * inWindow + j] = t0 + Math.round(t * spacing / tiers + j * spacing);
        }
      }
      this.movedLate = new long[tiers * inWindow];
      this.readableLate = new long[tiers * inWindow];
      this.seen = new boolean[tiers * inWindow];
    }

    @Override
    public void run() {
      try (consumer) {
        List<TopicPartition> parts = new ArrayList<>();
        consumer
            .partitionsFor(topic)
            .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        while (running) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
            take(r, CLOCK.millis());
          }
        }
      }
    }

    private void take(ConsumerRecord<byte[], byte[]> r, long readable) {
      long due = header(r, HeaderNames.DUE_AT);
      long movedAt = header(r, HeaderNames.MOVED_AT);
      if (movedAt < due) {
        early.incrementAndGet();
      }
      Header id = r.headers().lastHeader(HeaderNames.EVENT_ID);
      String[] parts = new String(id.value(), StandardCharsets.UTF_8).split("_", -1);
      int tier = Integer.parseInt(parts[2]);
      int j = Integer.parseInt(parts[3]);
      if (j >= inWindow) {
        outside.incrementAndGet();
        return;
      }
      int slot = tier * inWindow + j;
      synchronized (this) {
        if (seen[slot]) {
          duplicates.incrementAndGet();
          return;
        }
        seen[slot] = true;
        movedLate[slot] = movedAt - due;
        readableLate[slot] = readable - due;
      }
    }

    void stop() {
      running = false;
    }

    /** The largest lateness (readable, ms) of the records due in each second from {@code from}. */
    synchronized List<Long> maxBySecond(long from, long to) {
      int seconds = (int) Math.max(0, (to - from + 999) / 1000);
      long[] max = new long[seconds];
      Arrays.fill(max, -1);
      for (int i = 0; i < seen.length; i++) {
        if (seen[i] && plannedDue[i] >= from && plannedDue[i] < to) {
          int s = (int) ((plannedDue[i] - from) / 1000);
          max[s] = Math.max(max[s], readableLate[i]);
        }
      }
      return Arrays.stream(max).boxed().toList();
    }

    /** Window records due at or after {@code fromDue}. */
    int planned(long fromDue) {
      int n = 0;
      for (long due : plannedDue) {
        n += due >= fromDue ? 1 : 0;
      }
      return n;
    }

    /**
     * Sorted lateness in ms of every record seen that was due at or after {@code fromDue}, by
     * moved-at or by when it became readable.
     */
    synchronized double[] lateness(boolean byMovedAt, long fromDue) {
      double[] out = new double[seen.length];
      int n = 0;
      for (int i = 0; i < seen.length; i++) {
        if (seen[i] && plannedDue[i] >= fromDue) {
          out[n++] = byMovedAt ? movedLate[i] : readableLate[i];
        }
      }
      out = Arrays.copyOf(out, n);
      Arrays.sort(out);
      return out;
    }
  }
}
