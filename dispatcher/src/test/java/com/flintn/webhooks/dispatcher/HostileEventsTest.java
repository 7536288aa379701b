package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import com.flintn.webhooks.dispatcher.HostileMix.Planned;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.HttpsReceiver.Received;
import com.flintn.webhooks.testkit.IndependentVerifier;
import com.flintn.webhooks.testkit.SharedKafka;
import com.flintn.webhooks.testkit.TestEnvironment;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hostile events against the real dispatcher, broker and an HTTPS receiver: a seeded random mix of
 * a few thousand records (random bytes, truncated JSON, 10 MB values, 10,000-deep nesting, wrong
 * types, bad ids, empty and null values and keys, huge ids and keys, non-UTF-8, trailing content,
 * header floods, duplicated event ids) with valid events between them. Every hostile record must
 * land exactly once on the invalid-events topic with a reason and its source position; every valid
 * record must reach the receiver once, with the exact body expected and valid signatures, except a
 * repeat of an event id already seen in its partition, which is counted and not delivered
 * (docs/design.md §6.7); the consumer must go on (an event produced after the whole batch arrives)
 * and its lag reach zero.
 *
 * <p>The seed is printed; rerun a failure with {@code -Dflintn.hostile.seed=N}, and change the size
 * with {@code -Dflintn.hostile.records=N}.
 */
@Tag("broker")
class HostileEventsTest {
  private static final long SEED = Long.getLong("flintn.hostile.seed", System.nanoTime());
  private static final int RECORDS = Integer.getInteger("flintn.hostile.records", 3000);
  private static final int INVALID_VALUE_MAX = 512 * 1024;

  private final HttpsReceiver receiver = new HttpsReceiver();

  @AfterEach
  void closeReceiver() {
    receiver.close();
  }

  @Test
  void everyHostileRecordIsRefusedOnceWithItsReasonAndEveryValidOneIsDelivered() throws Exception {
    System.out.println("hostile events: seed " + SEED + ", about " + RECORDS + " records");
    try {
      run();
    } catch (AssertionError | Exception e) {
      throw new AssertionError(
          "hostile events failed with seed "
              + SEED
              + " (rerun: -Dflintn.hostile.seed="
              + SEED
              + "): "
              + e.getMessage(),
          e);
    }
  }

  @Test
  void aRecordAboveTheEventsTopicLimitIsRefusedToTheProducer() throws Exception {
    try (TestEnvironment env =
            TestEnvironment.create("hostile-cap", 1, Optional.empty(), Map.of());
        KafkaProducer<byte[], byte[]> producer = producer(env, 64 * 1024 * 1024)) {
      String events = env.topics().events().name();
      byte[] tooBig = new byte[33 * 1024 * 1024];
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(events, null, tooBig)).get())
          .hasCauseInstanceOf(RecordTooLargeException.class);
      // The 10 MB record of the hostile mix is accepted by the topic (and refused by the
      // dispatcher); the same producer goes on working after the refusal.
      producer.send(new ProducerRecord<>(events, null, new byte[HostileMix.TEN_MB])).get();
    }
  }

  private void run() throws Exception {
    HostileMix mix = new HostileMix(SEED);
    List<Planned> planned = mix.build(RECORDS);
    Planned sentinel = mix.sentinel();
    try (TestEnvironment env =
        TestEnvironment.create("hostile", 3, Optional.of(receiver), Map.of())) {
      Endpoint ep =
          endpoint(
              "ep_hostile",
              HostileMix.ACCOUNT,
              receiver.url("/hostile"),
              List.of("*"),
              EndpointStatus.ACTIVE);
      env.putEndpoint(ep);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      String events = env.topics().events().name();
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC(), registry);
          KafkaProducer<byte[], byte[]> producer = producer(env, 16 * 1024 * 1024)) {
        dispatcher.start();
        long started = System.nanoTime();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Planned p : planned) {
          sent.add(
              producer.send(new ProducerRecord<>(events, null, p.key(), p.value(), p.headers())));
        }
        producer.flush();
        Map<String, Planned> byPosition = new HashMap<>();
        TreeMap<TopicPartitionOffset, Planned> inLogOrder = new TreeMap<>();
        for (int i = 0; i < planned.size(); i++) {
          RecordMetadata m;
          try {
            m = sent.get(i).get();
          } catch (ExecutionException e) {
            throw new AssertionError(
                "cannot produce a " + planned.get(i).kind() + " record: " + e.getCause(), e);
          }
          byPosition.put(m.partition() + "@" + m.offset(), planned.get(i));
          inLogOrder.put(new TopicPartitionOffset(m.partition(), m.offset()), planned.get(i));
        }
        // After the whole batch: the consumer must still be going.
        producer.send(new ProducerRecord<>(events, null, sentinel.key(), sentinel.value())).get();
        long produced = System.nanoTime();

        // An event id is delivered once per partition it was produced to: the first record of it
        // in the partition's order, with that record's body; later ones in the same partition are
        // repeats, counted and not delivered. The mix keys most records by account and some at
        // random, so some repeats land in another partition than their first: de-duplication
        // does not see across partitions, and those are delivered there too.
        List<Planned> valid = new ArrayList<>();
        Map<Integer, java.util.Set<String>> seenIn = new HashMap<>();
        int repeats = 0;
        int repeatsElsewhere = 0;
        Map<String, java.util.Set<Integer>> partitionsOf = new HashMap<>();
        for (Map.Entry<TopicPartitionOffset, Planned> e : inLogOrder.entrySet()) {
          Planned p = e.getValue();
          if (!p.valid()) {
            continue;
          }
          int partition = e.getKey().partition();
          if (seenIn.computeIfAbsent(partition, k -> new java.util.HashSet<>()).add(p.eventId())) {
            valid.add(p);
            java.util.Set<Integer> before =
                partitionsOf.computeIfAbsent(p.eventId(), k -> new java.util.HashSet<>());
            if (!before.isEmpty()) {
              repeatsElsewhere++;
            }
            before.add(partition);
          } else {
            repeats++;
          }
        }
        valid.add(sentinel);
        List<Planned> hostile = planned.stream().filter(p -> !p.valid()).toList();

        // The event produced after the batch arrives: the consumer did not stop.
        await()
            .atMost(Duration.ofMinutes(5))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    receiver.received().stream()
                        .anyMatch(r -> sentinel.eventId().equals(r.header("X-Event-Id"))));
        long sentinelAt = System.nanoTime();
        // Offsets are committed only below records that are finished (delivered, written to the
        // invalid topic, or moved to the overflow lane, each acknowledged), so a committed lag of
        // zero on every lane the dispatcher reads means all is done. The endpoint's share of the
        // events lane is small beside records of 256 KiB, so some deliveries go by the overflow
        // lane; the events lane alone reaches zero before those are sent.
        awaitNoLag(
            env,
            dispatcher.groupId(),
            List.of(events, env.topics().overflow().name(), env.topics().deliveriesDue().name()));
        long drained = System.nanoTime();
        assertThat(registry.get(WebhookMetrics.CONSUMER_LAG).gauge().value())
            .as("the dispatcher's consumer lag gauge")
            .isZero();
        List<ConsumerRecord<byte[], byte[]>> invalid =
            env.readAll(env.topics().eventsInvalid().name());
        checkDeliveries(valid, receiver.received(), ep);
        assertThat(repeats).as("repeats of an event id in its own partition").isPositive();
        assertThat(registry.get(WebhookMetrics.EVENTS_DUPLICATES).counter().count())
            .as("the dispatcher's count of repeats not delivered")
            .isEqualTo(repeats);
        checkInvalid(events, byPosition, hostile.size(), invalid);
        // Every attempt was a first-time success: nothing waits on a retry tier or the DLQ.
        assertThat(env.readValues(env.topics().attempts()))
            .hasSize(valid.size())
            .allSatisfy(a -> assertThat(a.outcome()).isEqualTo(AttemptOutcome.DELIVERED));
        assertThat(env.readAll(env.topics().dlq().name())).isEmpty();

        Map<String, Long> kinds =
            planned.stream()
                .collect(Collectors.groupingBy(Planned::kind, TreeMap::new, Collectors.counting()));
        System.out.printf(
            "hostile events: seed %d; %d records produced (%d hostile, %d valid incl. duplicates)"
                + " + 1 sentinel; by kind %s; %d invalid records found, %d deliveries, %d repeats"
                + " not delivered, %d delivered again in another partition;"
                + " produced in %.1f s; the last event delivered %.1f s and lag 0 %.1f s after the"
                + " last record; %.1f s in all%n",
            SEED,
            planned.size(),
            hostile.size(),
            planned.size() - hostile.size(),
            kinds,
            invalid.size(),
            receiver.received().size(),
            repeats,
            repeatsElsewhere,
            (produced - started) / 1e9,
            (sentinelAt - produced) / 1e9,
            (drained - produced) / 1e9,
            (System.nanoTime() - started) / 1e9);
      }
    }
  }

  /** Each valid record delivered once, with its exact body, headers and valid signatures. */
  private static void checkDeliveries(List<Planned> valid, List<Received> received, Endpoint ep) {
    Map<String, Long> expected = count(valid, p -> p.eventId() + " " + b64(p.body()));
    Map<String, Long> got = count(received, r -> r.header("X-Event-Id") + " " + b64(r.body()));
    List<String> missing = difference(expected, got);
    List<String> unexpected = difference(got, expected);
    Map<String, String> kindOf = new HashMap<>();
    valid.forEach(p -> kindOf.put(p.eventId(), p.kind()));
    assertThat(missing)
        .as(
            "valid records not delivered with the expected body (event id, kind): %s; bodies"
                + " that arrived instead: %s",
            sample(missing, kindOf), sample(unexpected, kindOf))
        .isEmpty();
    assertThat(unexpected).as("deliveries nobody expected").isEmpty();

    String secret = ep.secrets().current().reveal();
    for (Received r : received) {
      String id = r.header("X-Event-Id");
      assertThat(r.path()).isEqualTo("/hostile");
      IndependentVerifier.assertSigned(r, secret, id);
      assertThat(r.header("webhook-id")).isEqualTo(id);
      assertThat(r.header("X-Webhook-Id")).isEqualTo("ep_hostile");
      assertThat(r.header("X-Delivery-Attempt")).isEqualTo("1");
      assertThat(r.header("Content-Type")).startsWith("application/json");
    }
    // An event id delivered more than once (its records in more than one partition) goes out
    // under the one id each time, so a receiver that de-duplicates on event_id keeps one.
    Map<String, List<Received>> byId =
        received.stream().collect(Collectors.groupingBy(r -> r.header("X-Event-Id")));
    byId.forEach(
        (id, all) ->
            assertThat(all).allSatisfy(r -> assertThat(r.header("webhook-id")).isEqualTo(id)));
  }

  /** A record's place in the events topic, ordered as the dispatcher reads a partition. */
  private record TopicPartitionOffset(int partition, long offset)
      implements Comparable<TopicPartitionOffset> {
    @Override
    public int compareTo(TopicPartitionOffset o) {
      return partition != o.partition
          ? Integer.compare(partition, o.partition)
          : Long.compare(offset, o.offset);
    }
  }

  /** Each hostile record on the invalid topic exactly once, at its source position, with why. */
  private static void checkInvalid(
      String events,
      Map<String, Planned> byPosition,
      int hostile,
      List<ConsumerRecord<byte[], byte[]>> invalid) {
    Map<String, Integer> seen = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : invalid) {
      String position = header(r, "source-partition") + "@" + header(r, "source-offset");
      Planned p = byPosition.get(position);
      String reason = header(r, "reason");
      String detail = header(r, "detail");
      if (seen.merge(position, 1, Integer::sum) > 1) {
        problems.add(position + ": refused more than once");
      }
      if (!events.equals(header(r, "source-topic")) || p == null) {
        problems.add(position + ": not a record of the mix (source " + header(r, "source-topic"));
        continue;
      }
      if (p.valid()) {
        problems.add(position + ": a valid " + p.kind() + " record was refused: " + reason);
        continue;
      }
      if (!p.reasons().contains(reason)) {
        problems.add(
            position + ": " + p.kind() + " refused as " + reason + ", expected " + p.reasons());
      }
      if (detail == null
          || detail.isBlank()
          || detail.length() > 400
          || detail.chars().anyMatch(Character::isISOControl)) {
        problems.add(position + ": " + p.kind() + " has no single printable detail line");
      }
      if (header(r, "rejected-at") == null) {
        problems.add(position + ": no rejected-at");
      } else {
        Instant.parse(header(r, "rejected-at"));
      }
      checkCopy(position, p, r, problems);
    }
    long missing = byPosition.values().stream().filter(p -> !p.valid()).count() - seen.size();
    assertThat(problems.size())
        .as(
            "invalid-topic records that are wrong, first of them: %s",
            String.join("\n", problems.subList(0, Math.min(20, problems.size()))))
        .isZero();
    assertThat(missing).as("hostile records never refused").isZero();
    assertThat(invalid).hasSize(hostile);
  }

  /** The invalid record carries the original as received, cut only where it must be. */
  private static void checkCopy(
      String position, Planned p, ConsumerRecord<byte[], byte[]> r, List<String> problems) {
    byte[] value = p.value();
    if (value == null) {
      if (r.value() != null) {
        problems.add(position + ": a null value came back as bytes");
      }
    } else if (value.length <= INVALID_VALUE_MAX) {
      if (!Arrays.equals(value, r.value())) {
        problems.add(position + ": " + p.kind() + " value not copied as received");
      }
    } else if (!Arrays.equals(Arrays.copyOf(value, INVALID_VALUE_MAX), r.value())
        || !String.valueOf(value.length).equals(header(r, "original-size"))) {
      problems.add(position + ": " + p.kind() + " value not cut to its first 512 KiB with size");
    }
    byte[] key = p.key();
    if (key == null) {
      if (r.key() != null) {
        problems.add(position + ": a null key came back as bytes");
      }
    } else if (Arrays.equals(key, r.key())) {
      if (header(r, "original-key-size") != null) {
        problems.add(position + ": whole key but original-key-size");
      }
    } else if (r.key() == null
        || r.key().length >= key.length
        || !Arrays.equals(Arrays.copyOf(key, r.key().length), r.key())
        || !String.valueOf(key.length).equals(header(r, "original-key-size"))) {
      problems.add(position + ": " + p.kind() + " key neither copied nor cut with its size");
    }
    if (!p.headers().isEmpty()) {
      Header first = p.headers().getFirst();
      Header copied = r.headers().lastHeader(first.key());
      if (copied == null || !Arrays.equals(first.value(), copied.value())) {
        problems.add(position + ": " + p.kind() + " lost its first original header");
      }
    }
  }

  private static void awaitNoLag(TestEnvironment env, String group, List<String> topics) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (String topic : topics) {
                  for (int p = 0; p < env.config().topics().partitions(); p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                  }
                }
                var ends = admin.listOffsets(latest).all().get();
                Map<TopicPartition, Long> lag =
                    new TreeMap<>(
                        Comparator.comparing(TopicPartition::topic)
                            .thenComparingInt(TopicPartition::partition));
                ends.forEach(
                    (tp, end) -> {
                      OffsetAndMetadata c = committed.get(tp);
                      lag.put(tp, end.offset() - (c == null ? 0 : c.offset()));
                    });
                assertThat(lag.values())
                    .as("committed lag per partition " + lag)
                    .allMatch(l -> l == 0);
              });
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(TestEnvironment env, int maxRequest) {
    Properties p = KafkaClients.producer(env.config().kafka(), env.prefix() + "-hostile");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(maxRequest));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(4L * maxRequest));
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static <T> Map<String, Long> count(List<T> items, Function<T, String> key) {
    return items.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
  }

  private static List<String> difference(Map<String, Long> a, Map<String, Long> b) {
    List<String> out = new ArrayList<>();
    a.forEach(
        (k, n) -> {
          for (long i = b.getOrDefault(k, 0L); i < n; i++) {
            out.add(k);
          }
        });
    return out;
  }

  private static String sample(List<String> entries, Map<String, String> kindOf) {
    return entries.stream()
            .limit(10)
            .map(
                e -> {
                  String id = e.substring(0, e.indexOf(' '));
                  String body =
                      new String(
                          Base64.getDecoder().decode(e.substring(e.indexOf(' ') + 1)),
                          StandardCharsets.UTF_8);
                  return "("
                      + (id.length() > 40 ? id.substring(0, 40) + "..." : id)
                      + ", "
                      + kindOf.get(id)
                      + ", "
                      + (body.length() > 300 ? body.substring(0, 300) + "..." : body)
                      + ")";
                })
            .collect(Collectors.joining("; "))
        + (entries.size() > 10 ? " and " + (entries.size() - 10) + " more" : "");
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
