package com.flintn.webhooks.admin.dlq;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.DlqReplay;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Replays dead letters: each selected one goes to {@code webhooks.deliveries.due} as attempt 1 of
 * the same delivery, with a {@code replayed-from} header, so the dispatcher signs and sends it like
 * any other delivery and it gets all 5 attempts again. In the same Kafka transaction a note goes to
 * {@code webhooks.dlq.replays}, so the replay and the record of it commit together: a dead letter
 * is replayed once, and a second replay is refused unless repeats are allowed.
 *
 * <p>Deliveries for endpoints that are not active are skipped and counted (the dispatcher would
 * drop them): reactivate first. Not thread safe; one replay at a time per instance.
 */
public final class DlqReplayer {
  /** How a replay runs. {@code ratePerSecond} empty means as fast as Kafka takes it. */
  public record Options(boolean dryRun, boolean allowRepeat, OptionalDouble ratePerSecond) {}

  /** What a replay did (or, on a dry run, would do). */
  public record Report(
      int selected,
      int sent,
      int skippedInactive,
      int skippedRepeat,
      int skippedUnknownEndpoint,
      boolean stopped,
      Set<String> inactiveEndpoints) {}

  /** Called after every record handled, for progress displays. */
  public interface Progress {
    void update(int handled, int total, int sent);
  }

  private static final int BATCH = 200;
  private static final Duration BATCH_TIME = Duration.ofMillis(250);

  private final KafkaConfig kafka;
  private final TopicCatalog topics;
  private final Clock clock;

  public DlqReplayer(KafkaConfig kafka, TopicCatalog topics, Clock clock) {
    this.kafka = kafka;
    this.topics = topics;
    this.clock = clock;
  }

  /** The positions ({@code topic/partition/offset}) of every dead letter replayed before. */
  public Set<String> earlierReplays(Duration timeout) {
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dlq-replay-log");
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
    Set<String> seen = new HashSet<>();
    String name = topics.dlqReplays().name();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(name).stream()
              .map(pi -> new TopicPartition(name, pi.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(parts));
      end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
      while (!end.isEmpty()) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          if (r.key() != null && r.value() != null) {
            seen.add(new String(r.key(), StandardCharsets.UTF_8));
          }
        }
        end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
      }
    }
    return seen;
  }

  /**
   * Replays {@code selected} in order. Stops between records when {@code stop} says so; what was
   * sent by then is committed and reported.
   */
  public Report replay(
      List<DeadLetter> selected,
      Function<EndpointId, Optional<Endpoint>> endpoints,
      Set<String> earlier,
      Options options,
      Progress progress,
      BooleanSupplier stop)
      throws InterruptedException {
    List<DeadLetter> toSend = new ArrayList<>();
    int inactive = 0;
    int repeat = 0;
    int unknown = 0;
    Set<String> inactiveIds = new TreeSet<>();
    for (DeadLetter d : selected) {
      Optional<Endpoint> e = endpoints.apply(d.endpointId());
      if (!options.allowRepeat() && earlier.contains(d.position())) {
        repeat++;
      } else if (e.isEmpty()) {
        unknown++;
      } else if (!e.get().isActive()) {
        inactive++;
        inactiveIds.add(d.endpointId().value() + " (" + e.get().status().wireName() + ")");
      } else {
        toSend.add(d);
      }
    }
    if (options.dryRun()) {
      return new Report(
          selected.size(), toSend.size(), inactive, repeat, unknown, false, inactiveIds);
    }
    int sent = send(toSend, options, progress, stop);
    return new Report(
        selected.size(), sent, inactive, repeat, unknown, sent < toSend.size(), inactiveIds);
  }

  // The sends are part of a transaction: if one fails, commitTransaction throws and the batch is
  // neither committed nor counted.
  @SuppressWarnings("FutureReturnValueIgnored")
  private int send(
      List<DeadLetter> toSend, Options options, Progress progress, BooleanSupplier stop)
      throws InterruptedException {
    if (toSend.isEmpty()) {
      return 0;
    }
    Properties p = KafkaClients.producer(kafka, "dlq-replay");
    p.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
        topics.dlq().name() + ".replay-" + UUID.randomUUID());
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
    Topic<String, Delivery> due = topics.deliveriesDue();
    Topic<String, DlqReplay> log = topics.dlqReplays();
    int committed = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      long started = System.nanoTime();
      int inBatch = 0;
      long batchStarted = System.nanoTime();
      producer.beginTransaction();
      for (int i = 0; i < toSend.size(); i++) {
        if (stop.getAsBoolean()) {
          break;
        }
        long wait = waitNanos(options.ratePerSecond(), started, i);
        if (wait > BATCH_TIME.toNanos() && inBatch > 0) {
          // about to wait longer than a batch lasts: commit what is sent rather than hold the
          // transaction (and readers of the due topic) open through the wait
          producer.commitTransaction();
          committed += inBatch;
          progress.update(i, toSend.size(), committed);
          inBatch = 0;
          batchStarted = System.nanoTime();
          producer.beginTransaction();
        }
        if (!sleep(wait, stop)) {
          break;
        }
        DeadLetter d = toSend.get(i);
        Delivery original = d.delivery();
        Delivery replay =
            new Delivery(
                original.deliveryId(),
                original.endpointId(),
                1,
                null,
                null,
                original.event(),
                original.origin());
        byte[] key = d.endpointId().value().getBytes(StandardCharsets.UTF_8);
        RecordHeaders h = new RecordHeaders();
        h.add(HeaderNames.REPLAYED_FROM, d.position().getBytes(StandardCharsets.UTF_8));
        h.add(HeaderNames.ENDPOINT_ID, key);
        producer.send(
            new ProducerRecord<>(
                due.name(),
                null,
                key,
                due.valueSerde().serializer().serialize(due.name(), replay),
                h));
        DlqReplay note =
            new DlqReplay(
                d.position(),
                original.deliveryId(),
                original.endpointId(),
                original.event().eventId(),
                clock.instant());
        producer.send(
            new ProducerRecord<>(
                log.name(),
                d.position().getBytes(StandardCharsets.UTF_8),
                log.valueSerde().serializer().serialize(log.name(), note)));
        inBatch++;
        if (inBatch >= BATCH || System.nanoTime() - batchStarted >= BATCH_TIME.toNanos()) {
          producer.commitTransaction();
          committed += inBatch;
          progress.update(i + 1, toSend.size(), committed);
          inBatch = 0;
          batchStarted = System.nanoTime();
          producer.beginTransaction();
        }
      }
      producer.commitTransaction();
      committed += inBatch;
      progress.update(committed, toSend.size(), committed);
    }
    return committed;
  }

  private static long waitNanos(OptionalDouble rate, long startedNanos, int index) {
    if (rate.isEmpty()) {
      return 0;
    }
    return startedNanos + (long) (index / rate.getAsDouble() * 1e9) - System.nanoTime();
  }

  /** Sleeps {@code nanos} in short steps; false if {@code stop} said so meanwhile. */
  private static boolean sleep(long nanos, BooleanSupplier stop) throws InterruptedException {
    long until = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = until - System.nanoTime()) {
      if (stop.getAsBoolean()) {
        return false;
      }
      long step = Math.min(left, 100_000_000L);
      Thread.sleep(step / 1_000_000, (int) (step % 1_000_000));
    }
    return !stop.getAsBoolean();
  }
}
