package com.flintn.webhooks.dispatcher.dedup;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.kafka.Offsets;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.time.Durations;
import com.flintn.webhooks.dispatcher.record.DeliveryMetrics;
import com.flintn.webhooks.dispatcher.record.KafkaWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * De-duplication of events (docs/design.md §6.7): an event whose account and event id were first
 * seen in the same partition of the events topic within {@code events.dedup-window} is a repeat and
 * is not delivered. The ids first seen in partition p are held in memory ({@link SeenIds}) and
 * written to partition p of {@code <prefix>.events.seen}, one record for all those of one poll
 * ({@link #flush}); the write is part of each such record's work, so no record's offset is
 * committed before Kafka acknowledged its first sighting, and a write that fails for good stops the
 * partition like any other. A dispatcher that is assigned partition p reads the window back from
 * partition p of that topic before it handles any record of p.
 *
 * <p>A seen record's value is a format byte ({@value #FORMAT}) and then, per id, the 8-byte hash of
 * account and event id and the 8-byte offset of its first record, big-endian; its timestamp is when
 * they were seen. It has no key.
 *
 * <p>The same record read again (same offset, after a crash or a rebalance before its commit) is
 * not a repeat: it is delivered. Repeats in another partition are not seen: producers key events by
 * account id (docs/producers.md), which keeps an account's repeats in one partition.
 *
 * <p>Poll thread only: {@link #check}, {@link #assigned} and {@link #revoked} are called by the
 * poll loop, in partition order.
 */
public final class EventDedup {
  private static final Logger log = LoggerFactory.getLogger(EventDedup.class);
  private static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);
  private static final int RESTORE_IDLE_POLLS = 300; // 300 polls of 200 ms without a record

  /** What to do with an event. */
  public sealed interface Verdict {
    /**
     * Deliver it; {@code seenRecorded} completes when its first sighting is acknowledged by Kafka
     * (at once when there is nothing to write).
     */
    record Deliver(CompletableFuture<Void> seenRecorded) implements Verdict {}

    /** Do not deliver it: its id was first seen at {@code firstOffset} (low 32 bits). */
    record Repeat(long firstOffset) implements Verdict {}
  }

  private static final Verdict.Deliver DELIVER = new Verdict.Deliver(done());

  /** The first byte of a seen record's value: its format. */
  static final byte FORMAT = 1;

  /** The first sightings of one partition in the current poll, written together. */
  private static final class Pending {
    private final CompletableFuture<Void> written = new CompletableFuture<>();
    private long[] ids = new long[64]; // hash, offset, hash, offset, ...
    private int count;

    void add(long hash, long offset) {
      if (2 * count + 2 > ids.length) {
        ids = Arrays.copyOf(ids, ids.length * 2);
      }
      ids[2 * count] = hash;
      ids[2 * count + 1] = offset;
      count++;
    }

    byte[] value() {
      ByteBuffer b = ByteBuffer.allocate(1 + 16 * count);
      b.put(FORMAT);
      for (int i = 0; i < 2 * count; i++) {
        b.putLong(ids[i]);
      }
      return b.array();
    }
  }

  private final KafkaConfig kafka;
  private final String eventsTopic;
  private final String seenTopic;
  private final int seenPartitions;
  private final Duration window;
  private final int maxIds;
  private final KafkaWriter writer;
  private final Clock clock;
  private final DeliveryMetrics metrics;
  private final Map<Integer, SeenIds> partitions = new HashMap<>();
  private final Map<Integer, Pending> pending = new HashMap<>();
  private final MessageDigest sha256;
  private static final Duration FORGET_WARNING_INTERVAL = Duration.ofMinutes(10);
  private long lastForgetWarning = Long.MIN_VALUE / 2;
  private long repeatsSinceSummary;
  private long lastSummary;

  /**
   * @param seenPartitions partitions of {@code seenTopic}: events partitions from this number on
   *     are not de-duplicated (the topic was not grown with the events topic)
   * @param window {@code events.dedup-window}; zero turns de-duplication off
   * @param maxIds {@code events.dedup-max-ids}: the most ids remembered per partition
   */
  public EventDedup(
      KafkaConfig kafka,
      String eventsTopic,
      String seenTopic,
      int seenPartitions,
      Duration window,
      int maxIds,
      KafkaWriter writer,
      Clock clock,
      DeliveryMetrics metrics) {
    this.kafka = kafka;
    this.eventsTopic = eventsTopic;
    this.seenTopic = seenTopic;
    this.seenPartitions = seenPartitions;
    this.window = window;
    this.maxIds = maxIds;
    this.writer = writer;
    this.clock = clock;
    this.metrics = metrics;
    this.lastSummary = clock.millis();
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** Whether repeats are looked for at all ({@code events.dedup-window} above zero). */
  public boolean enabled() {
    return !window.isZero();
  }

  /**
   * Whether {@code event}, read at {@code partition}@{@code offset} of the events topic, is to be
   * delivered; a first sighting is remembered, and written to the seen-ids topic at the next {@link
   * #flush}.
   */
  public Verdict check(Event event, int partition, long offset) {
    SeenIds seen = partitions.get(partition);
    if (seen == null) {
      return DELIVER; // off, or a partition the seen-ids topic does not have
    }
    long hash = hash(event);
    long now = clock.millis();
    long first = seen.firstSeen(hash, offset, now);
    if (first == SeenIds.NEW) {
      Pending p = pending.computeIfAbsent(partition, k -> new Pending());
      p.add(hash, offset);
      if (seen.forgotten() > 0 && now - lastForgetWarning >= FORGET_WARNING_INTERVAL.toMillis()) {
        forgetting(partition, seen, now);
      }
      return new Verdict.Deliver(p.written);
    }
    if (first == (int) offset) {
      return DELIVER; // the same record read again: its first sighting is already written
    }
    repeated(event, partition, offset, first, now);
    return new Verdict.Repeat(first);
  }

  /**
   * Writes the first sightings since the last flush, one record per partition; each of their
   * events' futures completes when that record is acknowledged (or fails when it fails for good).
   */
  @SuppressWarnings("FutureReturnValueIgnored") // the callback settles written on every outcome
  public void flush() {
    if (pending.isEmpty()) {
      return;
    }
    long now = clock.millis();
    for (Map.Entry<Integer, Pending> e : pending.entrySet()) {
      Pending p = e.getValue();
      writer
          .write(new ProducerRecord<>(seenTopic, e.getKey(), now, null, p.value()))
          .whenComplete(
              (ok, failure) -> {
                if (failure == null) {
                  p.written.complete(null);
                } else {
                  p.written.completeExceptionally(failure);
                }
              });
    }
    pending.clear();
  }

  /** Says, at most every ten minutes, that a partition's window is shorter than configured. */
  private void forgetting(int partition, SeenIds seen, long now) {
    lastForgetWarning = now;
    log.warn(
        "{}-{}: {} event ids forgotten before events.dedup-window ({}) ended, because the window"
            + " held more than events.dedup-max-ids ({}); repeats are refused for ids seen in the"
            + " last {} s only. Raise events.dedup-max-ids (and the heap: 21 to 43 bytes an id) to"
            + " cover the whole window",
        eventsTopic,
        partition,
        seen.forgotten(),
        Durations.format(window),
        maxIds,
        Math.max(0, now / 1000 - seen.keptFromSecond()));
  }

  private void repeated(Event event, int partition, long offset, long first, long now) {
    metrics.duplicate();
    repeatsSinceSummary++;
    if (log.isDebugEnabled()) {
      log.debug(
          "event {} of account {} at {}-{}@{} not delivered: a repeat of the record at offset {}"
              + " (low 32 bits) within events.dedup-window",
          event.eventId().value(),
          event.accountId().value(),
          eventsTopic,
          partition,
          offset,
          first);
    }
    if (now - lastSummary >= SUMMARY_INTERVAL.toMillis()) {
      log.info(
          "{} repeated event ids not delivered in the last {} s (events.dedup-window {}); the"
              + " latest: event {} of account {} at {}-{}@{}",
          repeatsSinceSummary,
          (now - lastSummary) / 1000,
          Durations.format(window),
          event.eventId().value(),
          event.accountId().value(),
          eventsTopic,
          partition,
          offset);
      repeatsSinceSummary = 0;
      lastSummary = now;
    }
  }

  /**
   * The partitions of the events topic among {@code assigned} get their window back from the
   * seen-ids topic, before any of their records is handled. If it cannot be read, the partition
   * starts with an empty window (what it saw before is delivered again if repeated, as without
   * de-duplication), and says so.
   */
  public void assigned(Collection<TopicPartition> assigned) {
    if (!enabled()) {
      return;
    }
    List<Integer> mine = new ArrayList<>();
    for (TopicPartition tp : assigned) {
      if (!tp.topic().equals(eventsTopic)) {
        continue;
      }
      if (tp.partition() >= seenPartitions) {
        log.warn(
            "{} has {} partitions, fewer than {}: events of partition {} are not de-duplicated;"
                + " add partitions to {} to match",
            seenTopic,
            seenPartitions,
            eventsTopic,
            tp.partition(),
            seenTopic);
        continue;
      }
      partitions.put(tp.partition(), new SeenIds(window, maxIds));
      mine.add(tp.partition());
    }
    if (!mine.isEmpty()) {
      restore(mine);
    }
  }

  /** Forgets partitions that are no longer this dispatcher's. */
  public void revoked(Collection<TopicPartition> revoked) {
    for (TopicPartition tp : revoked) {
      if (tp.topic().equals(eventsTopic)) {
        partitions.remove(tp.partition());
        pending.remove(tp.partition()); // none: a poll's sightings are written before the next
      }
    }
  }

  /** The 64-bit identity of an event: the first 8 bytes of SHA-256 of account and event id. */
  long hash(Event event) {
    sha256.reset();
    sha256.update(event.accountId().value().getBytes(StandardCharsets.UTF_8));
    sha256.update((byte) '/'); // never part of an id
    byte[] d = sha256.digest(event.eventId().value().getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(d, 0, 8).getLong();
  }

  /** Reads the window of the seen-ids topic's partitions {@code numbers}, to its current end. */
  private void restore(List<Integer> numbers) {
    long started = clock.millis();
    long now = started;
    List<TopicPartition> tps = numbers.stream().map(p -> new TopicPartition(seenTopic, p)).toList();
    long restored = 0;
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            restoreProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.assign(tps);
      Map<TopicPartition, Long> since = new HashMap<>();
      tps.forEach(tp -> since.put(tp, now - window.toMillis()));
      Map<TopicPartition, OffsetAndTimestamp> from =
          c.offsetsForTimes(since, Duration.ofSeconds(30));
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
      for (TopicPartition tp : tps) {
        OffsetAndTimestamp o = from.get(tp);
        c.seek(tp, o == null ? Offsets.of(end, tp) : o.offset());
      }
      int idle = 0;
      while (!caughtUp(c, tps, end)) {
        var records = c.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          if (++idle >= RESTORE_IDLE_POLLS) {
            throw new IllegalStateException("no progress for 60 s");
          }
          continue;
        }
        idle = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
          byte[] v = r.value();
          if (v == null || v.length < 17 || v[0] != FORMAT || (v.length - 1) % 16 != 0) {
            continue; // not a format this version reads
          }
          if (r.offset() >= Offsets.of(end, new TopicPartition(r.topic(), r.partition()))) {
            continue;
          }
          SeenIds seen =
              Objects.requireNonNull(partitions.get(r.partition()), "restored partition");
          ByteBuffer b = ByteBuffer.wrap(v, 1, v.length - 1);
          while (b.hasRemaining()) {
            seen.restore(b.getLong(), b.getLong(), r.timestamp(), now);
            restored++;
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn(
          "could not read the seen event ids of {} partitions {} ({}); they start with an empty"
              + " de-duplication window: repeats of events seen before now are delivered again",
          seenTopic,
          numbers,
          e.toString());
      return;
    }
    long bytes = 0;
    for (int p : numbers) {
      bytes += Objects.requireNonNull(partitions.get(p), "restored partition").bytes();
    }
    log.info(
        "de-duplication window of {} restored for {} partitions {}: {} seen event ids in {} ms,"
            + " {} KiB",
        Durations.format(window),
        eventsTopic,
        new TreeSet<>(numbers),
        restored,
        clock.millis() - started,
        bytes / 1024);
  }

  private static boolean caughtUp(
      KafkaConsumer<byte[], byte[]> c, List<TopicPartition> tps, Map<TopicPartition, Long> end) {
    for (TopicPartition tp : tps) {
      if (c.position(tp) < Offsets.of(end, tp)) {
        return false;
      }
    }
    return true;
  }

  private Properties restoreProperties() {
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, eventsTopic + "-dedup-restore");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20000");
    return p;
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }
}
