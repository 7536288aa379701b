package com.flintn.webhooks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.admin.AdminApp;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.admin.deliveries.DeliveryIndex;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.kafka.Offsets;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCreator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * P9: delivery search at scale. {@code attempts} attempt records (100 accounts of 10 endpoints, an
 * event to one or two endpoints, most delivered at once, some after retries, some dead-lettered)
 * are written to the attempts topic; then the admin starts as {@code standalone} runs it and loads
 * its index from the topic. Measured: the load time and heap, then lookups by event id through the
 * HTTP API against the naive way of answering one, a scan of the whole topic, in the same run.
 */
final class DeliveryLookup {
  private static final int ACCOUNTS = 100;
  private static final int ENDPOINTS_PER_ACCOUNT = 10;
  private static final Instant T0 = Instant.parse("2026-11-06T00:00:00Z");

  private final Rig rig;
  private final PrintStream out;

  DeliveryLookup(Rig rig, PrintStream out) {
    this.rig = rig;
    this.out = out;
  }

  /** What was written: the events to look up later, with their accounts. */
  private record Written(List<String> events, List<Integer> accounts, int deliveries) {}

  Result run(int attempts, int lookups, int naiveScans) throws Exception {
    FlintnConfig c = config();
    try (Admin admin = rig.admin()) {
      new TopicCreator(admin).createAll(c.topicCatalog(), 6, (short) 1);
    }
    try {
      return measure(c, attempts, lookups, naiveScans);
    } finally {
      rig.drop(c);
    }
  }

  private Result measure(FlintnConfig c, int attempts, int lookups, int naiveScans)
      throws Exception {
    long produceStart = System.nanoTime();
    Written w = write(c, attempts);
    double produceS = (System.nanoTime() - produceStart) / 1e9;
    out.printf(
        Locale.ROOT,
        "  P9 wrote %,d attempt records (%,d deliveries) in %.1f s%n",
        attempts,
        w.deliveries(),
        produceS);

    List<String> keys = new ArrayList<>();
    List<AccountId> accounts = new ArrayList<>();
    for (int a = 0; a < ACCOUNTS; a++) {
      keys.add(ApiKeys.generate());
      accounts.add(account(a));
    }
    long heapBefore = HeapWatch.liveAfterFullGc();
    long loadStart = System.nanoTime();
    Map<String, Object> details = new LinkedHashMap<>();
    try (AdminApp admin =
        new AdminApp(c, ApiKeys.of(keys, accounts), rig.clock, new SimpleMeterRegistry())) {
      admin.start();
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (!admin.deliverySearch().progress().complete()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "P9: the index did not load in 10 min: " + admin.deliverySearch().progress());
        }
        Thread.sleep(20);
      }
      double loadS = (System.nanoTime() - loadStart) / 1e9;
      long heapAfter = HeapWatch.liveAfterFullGc();
      DeliveryIndex.Stats stats = admin.deliverySearch().index().stats();
      out.printf(
          Locale.ROOT,
          "  P9 admin started and loaded %,d attempts in %.1f s; index %.1f MB (%.0f B per"
              + " attempt), live heap +%.1f MB%n",
          stats.attempts(),
          loadS,
          stats.bytes() / 1e6,
          (double) stats.bytes() / stats.attempts(),
          (heapAfter - heapBefore) / 1e6);

      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + admin.port() + "/v1/deliveries?";
      SplittableRandom random = new SplittableRandom(9);
      // warm-up: the server's and the client's code paths compiled before measuring
      lookups(http, base, keys, w, Math.max(50, lookups / 5), random);
      double[] byEvent = lookups(http, base, keys, w, lookups, random);
      int misses = (int) byEvent[byEvent.length - 1];
      byEvent = Arrays.copyOf(byEvent, byEvent.length - 1);
      Arrays.sort(byEvent);
      double[] filtered = filtered(http, base, keys, Math.max(20, lookups / 10), random);
      Arrays.sort(filtered);

      List<Result.Run> runs = new ArrayList<>();
      double p50 = Stats.percentile(byEvent, 50);
      runs.add(new Result.Run(1, Result.Kind.VALUE, false, p50, Double.NaN));
      double[] naive = new double[naiveScans];
      for (int i = 0; i < naiveScans; i++) {
        int k = random.nextInt(w.events().size());
        naive[i] = naiveScan(c, w.events().get(k));
        runs.add(new Result.Run(i + 2, Result.Kind.BASELINE, false, naive[i], Double.NaN));
        out.printf(Locale.ROOT, "  P9 naive scan of the topic for one event: %.0f ms%n", naive[i]);
      }
      double p99 = Stats.percentile(byEvent, 99);
      details.put("attempts", stats.attempts());
      details.put("deliveries", stats.deliveries());
      details.put("events", stats.events());
      details.put("produce_s", produceS);
      details.put("load_s", loadS);
      details.put("index_bytes", stats.bytes());
      details.put("index_bytes_per_attempt", (double) stats.bytes() / stats.attempts());
      details.put("live_heap_before_mb", heapBefore / 1e6);
      details.put("live_heap_after_load_mb", heapAfter / 1e6);
      details.put("lookups", byEvent.length);
      details.put("lookup_misses", misses);
      details.put("lookup_p50_ms", p50);
      details.put("lookup_p99_ms", p99);
      details.put("lookup_max_ms", byEvent[byEvent.length - 1]);
      details.put("filtered_searches", filtered.length);
      details.put("filtered_p50_ms", Stats.percentile(filtered, 50));
      details.put("filtered_p99_ms", Stats.percentile(filtered, 99));
      Result r =
          new Result(
              "P9",
              String.format(
                  Locale.ROOT,
                  "%,d attempt records, %d accounts: lookups by event id through GET"
                      + " /v1/deliveries",
                  attempts,
                  ACCOUNTS),
              "ms per lookup (p50)",
              runs,
              "one scan of the attempts topic for one event id (naive search)",
              "p99 < 100 ms",
              false,
              "",
              details);
      double speedup = r.baselines().median() / p50;
      details.put("naive_to_p50", speedup);
      return r.withMet(
          p99 < 100 && misses == 0,
          String.format(
              Locale.ROOT,
              "p99 %.2f ms, max %.1f ms, %d missed; %,.0f x faster than the scan; load %.1f s,"
                  + " index %.0f MB; filtered search (status, 20 a page) p50 %.1f ms",
              p99,
              byEvent[byEvent.length - 1],
              misses,
              speedup,
              loadS,
              stats.bytes() / 1e6,
              Stats.percentile(filtered, 50)));
    }
  }

  /**
   * {@code n} lookups of random events written, one at a time, in ms; the last element is the
   * number of lookups that did not find their event.
   */
  private static double[] lookups(
      HttpClient http, String base, List<String> keys, Written w, int n, SplittableRandom random)
      throws Exception {
    double[] ms = new double[n + 1];
    int misses = 0;
    for (int i = 0; i < n; i++) {
      int k = random.nextInt(w.events().size());
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(base + "event_id=" + w.events().get(k)))
              .header("Authorization", "Bearer " + keys.get(w.accounts().get(k)))
              .build();
      long t = System.nanoTime();
      HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      ms[i] = (System.nanoTime() - t) / 1e6;
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "P9: a lookup got "
                + r.statusCode()
                + ": "
                + new String(r.body(), StandardCharsets.UTF_8));
      }
      JsonNode body = Json.mapper().readTree(r.body());
      if (body.get("count").asInt() < 1) {
        misses++;
      }
    }
    ms[n] = misses;
    return ms;
  }

  /** Searches by status of random accounts (the first page of 20), in ms. */
  private static double[] filtered(
      HttpClient http, String base, List<String> keys, int n, SplittableRandom random)
      throws Exception {
    String[] statuses = {"failing", "dead_lettered", "delivered"};
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(base + "limit=20&status=" + statuses[i % 3]))
              .header("Authorization", "Bearer " + keys.get(random.nextInt(keys.size())))
              .build();
      long t = System.nanoTime();
      HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      ms[i] = (System.nanoTime() - t) / 1e6;
      if (r.statusCode() != 200) {
        throw new IllegalStateException("P9: a search got " + r.statusCode());
      }
    }
    return ms;
  }

  /** The naive search: read the whole attempts topic, parse each record, keep the event's. */
  private static double naiveScan(FlintnConfig c, String eventId) {
    Topic<String, AttemptRecord> t = c.topicCatalog().attempts();
    Properties p = KafkaClients.reader(c.kafka());
    p.put("max.poll.records", "5000");
    long start = System.nanoTime();
    int found = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(t.name()).stream()
              .map(pi -> new TopicPartition(t.name(), pi.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < Offsets.of(end, tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          AttemptRecord a = t.valueSerde().deserializer().deserialize(t.name(), r.value());
          if (a.eventId().value().equals(eventId)) {
            found++;
          }
        }
      }
    }
    if (found == 0) {
      throw new IllegalStateException("P9: the naive scan did not find " + eventId);
    }
    return (System.nanoTime() - start) / 1e6;
  }

  /**
   * Writes {@code n} attempt records: each event goes to one endpoint of its account (a fifth to
   * two), each delivery takes 1 attempt (75%), 2 or 3 (a failure, then delivered or still failing),
   * or 5 ending dead-lettered (3%). Times spread over 30 days, as the topic keeps.
   */
  // A record not written shows as a missed lookup and in the index's count of attempts.
  @SuppressWarnings("FutureReturnValueIgnored")
  private static Written write(FlintnConfig c, int n) throws Exception {
    Topic<String, AttemptRecord> t = c.topicCatalog().attempts();
    Properties p = KafkaClients.producer(c.kafka(), "bench-load");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    SplittableRandom random = new SplittableRandom(1);
    List<String> events = new ArrayList<>();
    List<Integer> accounts = new ArrayList<>();
    long spanMs = Duration.ofDays(30).toMillis();
    int written = 0;
    int deliveries = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int k = 0; written < n; k++) {
        int account = random.nextInt(ACCOUNTS);
        String event = "evt_" + ulidLike(random);
        events.add(event);
        accounts.add(account);
        String type = "order." + (k % 7 == 0 ? "refunded" : k % 2 == 0 ? "created" : "paid");
        Instant at = T0.plusMillis(spanMs * written / n);
        int fanOut = random.nextInt(5) == 0 ? 2 : 1;
        int firstEndpoint = random.nextInt(ENDPOINTS_PER_ACCOUNT);
        for (int e = 0; e < fanOut && written < n; e++) {
          int endpointNo = (firstEndpoint + e) % ENDPOINTS_PER_ACCOUNT;
          EndpointId endpoint = EndpointId.of("ep_" + account + "_" + endpointNo);
          int roll = random.nextInt(100);
          int tries = roll < 75 ? 1 : roll < 90 ? 2 : roll < 97 ? 3 : 5;
          deliveries++;
          for (int attempt = 1; attempt <= tries && written < n; attempt++) {
            boolean last = attempt == tries;
            AttemptOutcome outcome =
                !last
                    ? AttemptOutcome.RETRY_SCHEDULED
                    : tries == 5
                        ? AttemptOutcome.DEAD_LETTERED
                        : tries == 3 && roll % 2 == 0
                            ? AttemptOutcome.RETRY_SCHEDULED
                            : AttemptOutcome.DELIVERED;
            boolean ok = outcome == AttemptOutcome.DELIVERED;
            boolean timeout = !ok && attempt % 2 == 0;
            AttemptRecord a =
                new AttemptRecord(
                    Delivery.idFor(EventId.of(event), endpoint),
                    EventId.of(event),
                    type,
                    endpoint,
                    account(account),
                    attempt,
                    at.plusSeconds(300L * (attempt - 1)),
                    ok ? 40 + random.nextInt(200) : timeout ? 30_000 : 120,
                    timeout ? null : ok ? 200 : 503,
                    timeout ? "timeout" : null,
                    timeout ? "no response within 30 s" : null,
                    ok ? "{\"received\":true}" : timeout ? null : "Service Unavailable",
                    outcome);
            producer.send(
                new ProducerRecord<>(
                    t.name(),
                    Rig.bytes(endpoint.value()),
                    t.valueSerde().serializer().serialize(t.name(), a)));
            written++;
          }
        }
      }
      producer.flush();
    }
    return new Written(events, accounts, deliveries);
  }

  private static final char[] ULID = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

  private static String ulidLike(SplittableRandom random) {
    char[] c = new char[26];
    for (int i = 0; i < c.length; i++) {
      c[i] = ULID[random.nextInt(ULID.length)];
    }
    return new String(c);
  }

  private static AccountId account(int a) {
    return AccountId.of("acc_p9_" + a);
  }

  private FlintnConfig config() throws Exception {
    Map<ConfigKey, String> v = new EnumMap<>(ConfigKey.class);
    v.put(ConfigKey.KAFKA_BOOTSTRAP_SERVERS, rig.kafka.bootstrapServers());
    v.put(ConfigKey.TOPICS_PREFIX, "p9");
    v.put(ConfigKey.TOPICS_PARTITIONS, "6");
    v.put(ConfigKey.TOPICS_REPLICATION_FACTOR, "1");
    v.put(ConfigKey.SECRETS_ENCRYPTION_KEY, rig.encryptionKey());
    v.put(ConfigKey.ADMIN_PORT, String.valueOf(Nginx.freePort()));
    return FlintnConfig.from(ConfigValues.load(Optional.empty(), Map.of(), v));
  }
}
