package com.flintn.webhooks.admin.resend;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.DeliveryId;
import com.flintn.webhooks.common.message.DlqReplay;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.Origin;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * Writes resent deliveries to {@code webhooks.deliveries.due}, with their once-only notes on {@code
 * webhooks.dlq.replays}, in Kafka transactions: a delivery and its notes commit together or not at
 * all. A recovery of an endpoint uses a transactional id of that endpoint, so a second recovery of
 * it (on any admin instance) fences the first: once the second has initialised, the first can
 * commit nothing more, and the second reads the notes the first committed before deciding.
 */
final class Resender implements AutoCloseable {
  /** A delivery to write, where its body came from, and the notes that go with it. */
  record Resend(Delivery delivery, String from, List<DlqReplay> notes) {}

  static final int BATCH = 200;
  private static final String ID_CHARS =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KafkaProducer<byte[], byte[]> producer;
  private final Topic<String, Delivery> due;
  private final Topic<String, DlqReplay> notes;

  /** Opens a producer with {@code transactionalId} and fences older ones that had it. */
  Resender(KafkaConfig kafka, TopicCatalog topics, String transactionalId) {
    Properties p = KafkaClients.producer(kafka, "admin-resend");
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.due = topics.deliveriesDue();
    this.notes = topics.dlqReplays();
    try {
      producer.initTransactions();
    } catch (RuntimeException e) {
      producer.close();
      throw e;
    }
  }

  /**
   * A new first attempt of {@code event} for {@code endpoint}, with a delivery id of its own
   * ({@code dlv_rs_...}): a resend is a new delivery of the same event, told apart from the
   * original's attempts by its id; the receiver sees the same event id and body.
   */
  static Delivery fresh(Event event, EndpointId endpoint, @Nullable Origin origin) {
    StringBuilder id = new StringBuilder("dlv_rs_");
    for (int i = 0; i < 22; i++) {
      id.append(ID_CHARS.charAt(RANDOM.nextInt(ID_CHARS.length())));
    }
    return new Delivery(DeliveryId.of(id.toString()), endpoint, 1, null, null, event, origin);
  }

  /**
   * Writes {@code all} in transactions of {@value #BATCH}.
   *
   * @return how many were committed before {@code all} ended or a write failed
   * @throws Failed with the count committed before the failure
   */
  int send(List<Resend> all) {
    int committed = 0;
    try {
      for (int from = 0; from < all.size(); from += BATCH) {
        List<Resend> batch = all.subList(from, Math.min(all.size(), from + BATCH));
        producer.beginTransaction();
        for (Resend r : batch) {
          write(r);
        }
        producer.commitTransaction();
        committed += batch.size();
      }
    } catch (RuntimeException e) {
      try {
        producer.abortTransaction(); // never leave readers of the due topic waiting on it
      } catch (RuntimeException fencedOrClosed) {
        // fenced: the recovery that fenced this one aborted it already
      }
      throw new Failed(committed, e);
    }
    return committed;
  }

  // The sends are part of a transaction: if one fails, commitTransaction throws and nothing of the
  // batch is committed or counted.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void write(Resend r) {
    byte[] key = r.delivery().endpointId().value().getBytes(StandardCharsets.UTF_8);
    RecordHeaders h = new RecordHeaders();
    h.add(HeaderNames.REPLAYED_FROM, r.from().getBytes(StandardCharsets.UTF_8));
    h.add(HeaderNames.ENDPOINT_ID, key);
    producer.send(
        new ProducerRecord<>(
            due.name(),
            null,
            key,
            due.valueSerde().serializer().serialize(due.name(), r.delivery()),
            h));
    for (DlqReplay note : r.notes()) {
      producer.send(
          new ProducerRecord<>(
              notes.name(),
              note.replayedFrom().getBytes(StandardCharsets.UTF_8),
              notes.valueSerde().serializer().serialize(notes.name(), note)));
    }
  }

  /** A write that failed after {@code committed} resends were committed. */
  static final class Failed extends org.apache.kafka.common.KafkaException {
    private static final long serialVersionUID = 1L;
    final int committed;

    Failed(int committed, RuntimeException cause) {
      super(cause.getMessage(), cause);
      this.committed = committed;
    }
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
