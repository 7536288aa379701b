package com.flintn.webhooks.admin.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * Re-encrypts the endpoints table with the keyring's writing key (docs/design.md §8.1, {@code
 * secrets rekey}). It does not write the table: the endpoint-state app is its only writer. It reads
 * the table, sends one {@code rekey} change per endpoint whose secrets are not sealed with the
 * writing key, and follows the table until the app has written each of them again. The app applies
 * a {@code rekey} in order with every other change of that endpoint, to the state it holds, so a
 * concurrent change (a rotation, a disable) is never undone; and it writes its store's changelog
 * with the same key. Running it again sends only what is still not re-encrypted.
 */
public final class SecretsRekey {
  /** Progress, called after each endpoint is confirmed. */
  public interface Progress {
    void update(int done, int total);
  }

  /**
   * What a run found and did.
   *
   * @param inTable live endpoint records in the table
   * @param alreadyCurrent of them, those already sealed with the writing key
   * @param toRekey of them, those that were not (sent a rekey, or would be on a dry run)
   * @param done of {@code toRekey}, those the endpoint-state app has written again (or deleted)
   * @param pending endpoint ids not written again within the bound, first few, sorted
   * @param lastSeenKey for a pending endpoint, how its latest record was sealed ("enc:v1", a key
   *     id, or "plaintext"), if the app wrote it after the rekey was sent
   */
  public record Report(
      int inTable,
      int alreadyCurrent,
      int toRekey,
      int done,
      List<String> pending,
      Map<String, String> lastSeenKey) {}

  private final KafkaConfig kafka;
  private final TopicCatalog topics;
  private final SecretCipher cipher;
  private final Clock clock;
  private final Duration kafkaTimeout;

  public SecretsRekey(
      KafkaConfig kafka,
      TopicCatalog topics,
      SecretCipher cipher,
      Clock clock,
      Duration kafkaTimeout) {
    this.kafka = kafka;
    this.topics = topics;
    this.cipher = cipher;
    this.clock = clock;
    this.kafkaTimeout = kafkaTimeout;
  }

  /**
   * Reads the table and, unless {@code dryRun}, asks the endpoint-state app to re-encrypt every
   * endpoint not sealed with the writing key, then waits up to {@code bound} for it to have done
   * so.
   *
   * @throws ConfigException naming the key to fix if the table holds records this keyring cannot
   *     read: nothing is sent then
   * @throws org.apache.kafka.common.errors.TimeoutException if the broker does not answer
   */
  public Report run(boolean dryRun, Duration bound, Progress progress)
      throws InterruptedException, ExecutionException {
    Topic<String, Endpoint> table = topics.endpoints();
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) kafkaTimeout.toMillis());
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo pi : consumer.partitionsFor(table.name(), kafkaTimeout)) {
        parts.add(new TopicPartition(table.name(), pi.partition()));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, kafkaTimeout);
      Map<String, byte[]> latest = new TreeMap<>();
      long deadline = System.nanoTime() + kafkaTimeout.toNanos();
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new org.apache.kafka.common.errors.TimeoutException(
              "could not read " + table.name() + " to its end");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null) {
            continue;
          }
          String key = new String(r.key(), StandardCharsets.UTF_8);
          if (r.value() == null) {
            latest.remove(key);
          } else {
            latest.put(key, r.value());
          }
        }
      }

      Map<String, AccountId> stale = new TreeMap<>();
      TreeMap<String, SecretCipher.Undecryptable> unreadable = new TreeMap<>();
      int current = 0;
      for (Map.Entry<String, byte[]> e : latest.entrySet()) {
        Endpoint endpoint;
        try {
          endpoint = table.valueSerde().deserializer().deserialize(table.name(), e.getValue());
        } catch (RuntimeException x) {
          SecretCipher.Undecryptable why = SecretCipher.Undecryptable.find(x);
          if (why != null) {
            unreadable.put(e.getKey(), why);
          }
          continue; // other unreadable records are skipped by every reader; nothing to re-encrypt
        }
        if (sealedWithWritingKey(e.getValue())) {
          current++;
        } else {
          stale.put(e.getKey(), endpoint.accountId());
        }
      }
      if (!unreadable.isEmpty()) {
        var first = unreadable.firstEntry();
        throw new ConfigException(
            first.getValue().configKey(),
            first.getValue().problem(unreadable.size(), first.getKey())
                + "; nothing was re-encrypted");
      }
      int total = stale.size();
      if (dryRun || total == 0) {
        return new Report(latest.size(), current, total, 0, List.of(), Map.of());
      }

      send(stale);

      // Follow the table from where the read ended until every endpoint is written again.
      Map<String, String> lastSeen = new HashMap<>();
      int done = 0;
      progress.update(0, total);
      long waitUntil = System.nanoTime() + bound.toNanos();
      while (!stale.isEmpty() && System.nanoTime() < waitUntil) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null) {
            continue;
          }
          String key = new String(r.key(), StandardCharsets.UTF_8);
          if (!stale.containsKey(key)) {
            continue;
          }
          if (r.value() == null || sealedWithWritingKey(r.value())) {
            stale.remove(key); // written again with the key, or deleted meanwhile
            lastSeen.remove(key);
            progress.update(++done, total);
          } else {
            lastSeen.put(key, sealing(r.value()));
          }
        }
      }
      List<String> pending = stale.keySet().stream().limit(10).toList();
      Map<String, String> seen = new TreeMap<>();
      for (String k : pending) {
        if (lastSeen.containsKey(k)) {
          seen.put(k, lastSeen.get(k));
        }
      }
      return new Report(latest.size(), current, total, done, pending, seen);
    }
  }

  private void send(Map<String, AccountId> stale) throws InterruptedException, ExecutionException {
    Topic<String, EndpointChange> changes = topics.endpointChanges();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            KafkaClients.producer(kafka, "secrets-rekey-" + UUID.randomUUID()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (Map.Entry<String, AccountId> e : stale.entrySet()) {
        EndpointChange rekey =
            EndpointChange.of(
                "rekey-" + UUID.randomUUID(),
                EndpointChange.Type.REKEY,
                EndpointId.of(e.getKey()),
                e.getValue(),
                clock.instant());
        sent.add(
            producer.send(
                new ProducerRecord<>(
                    changes.name(),
                    e.getKey().getBytes(StandardCharsets.UTF_8),
                    changes.valueSerde().serializer().serialize(changes.name(), rekey))));
      }
      for (Future<RecordMetadata> f : sent) {
        try {
          f.get(kafkaTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException x) {
          throw new org.apache.kafka.common.errors.TimeoutException(
              "could not send to " + changes.name());
        }
      }
    }
  }

  /** Whether every secret in the endpoint record {@code value} is sealed with the writing key. */
  private boolean sealedWithWritingKey(byte[] value) {
    JsonNode secrets = secrets(value);
    if (secrets == null) {
      return false;
    }
    for (String field : List.of("current", "previous")) {
      JsonNode s = secrets.get(field);
      if (s != null && !s.isNull() && !cipher.isCurrent(s.asText())) {
        return false;
      }
    }
    return true;
  }

  /** How the current secret of {@code value} is sealed, without its sealed bytes. */
  private static String sealing(byte[] value) {
    JsonNode secrets = secrets(value);
    String s = secrets == null ? "" : secrets.path("current").asText("");
    if (s.startsWith(SecretCipher.V2)) {
      int colon = s.indexOf(':', SecretCipher.V2.length());
      return colon < 0 ? "enc:v2" : "key '" + s.substring(SecretCipher.V2.length(), colon) + "'";
    }
    if (s.startsWith(SecretCipher.V1)) {
      return "enc:v1";
    }
    return s.startsWith("whsec_") ? "plain text" : "unknown";
  }

  private static @Nullable JsonNode secrets(byte[] value) {
    try {
      JsonNode secrets = Json.mapper().readTree(value).get("secrets");
      return secrets != null && secrets.isObject() ? secrets : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean reached(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
