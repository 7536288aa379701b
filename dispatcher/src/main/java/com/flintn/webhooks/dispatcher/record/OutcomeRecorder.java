package com.flintn.webhooks.dispatcher.record;

import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.dispatcher.http.SendResult;
import com.flintn.webhooks.dispatcher.outcome.DeliveryOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes what became of an attempt: always an attempt record on {@code webhooks.attempts}; for a
 * retryable failure the next attempt on its delay tier; for a final failure the delivery on {@code
 * webhooks.dlq} with the failure headers. The returned future completes when Kafka has acknowledged
 * every record, which is when the source record counts as finished. Thread safe.
 */
public final class OutcomeRecorder {
  private final Producer<byte[], byte[]> producer;
  private final TopicCatalog topics;

  public OutcomeRecorder(Producer<byte[], byte[]> producer, TopicCatalog topics) {
    this.producer = producer;
    this.topics = topics;
  }

  /** The attempt made, and what it means. */
  public record Attempt(
      Endpoint endpoint,
      Delivery delivery,
      Instant startedAt,
      SendResult result,
      DeliveryOutcome outcome,
      SourceRecord source) {}

  public CompletableFuture<Void> record(Attempt a) {
    Delivery d = a.delivery();
    Instant firstAttemptAt = d.firstAttemptAt() != null ? d.firstAttemptAt() : a.startedAt();
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    AttemptOutcome outcome;
    switch (a.outcome()) {
      case DeliveryOutcome.Delivered x -> outcome = AttemptOutcome.DELIVERED;
      case DeliveryOutcome.RetryLater r when d.attempt() < Delivery.MAX_ATTEMPTS -> {
        outcome = AttemptOutcome.RETRY_SCHEDULED;
        int tier = d.attempt() - 1;
        Duration delay = topics.tiers().get(tier);
        RecordHeaders h = new RecordHeaders();
        h.add(Headers.DUE_AT, utf8(String.valueOf(a.startedAt().plus(delay).toEpochMilli())));
        sent.add(
            send(
                topics.retryTier(tier),
                d.endpointId().value(),
                d.next(firstAttemptAt, r.failure()),
                h));
      }
      case DeliveryOutcome.RetryLater r -> {
        outcome = AttemptOutcome.DEAD_LETTERED;
        sent.add(deadLetter(a, firstAttemptAt, DeliveryOutcome.GiveUpReason.ATTEMPTS_EXHAUSTED));
      }
      case DeliveryOutcome.GiveUp g -> {
        outcome =
            g.reason() == DeliveryOutcome.GiveUpReason.UNSAFE_URL
                ? AttemptOutcome.REJECTED_UNSAFE_URL
                : AttemptOutcome.DEAD_LETTERED;
        sent.add(deadLetter(a, firstAttemptAt, g.reason()));
      }
    }
    sent.add(
        send(
            topics.attempts(),
            d.endpointId().value(),
            attemptRecord(a, outcome),
            new RecordHeaders()));
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
  }

  /** Records that a delivery was not attempted because its endpoint is not active. */
  public CompletableFuture<Void> recordDropped(Delivery d, Instant at) {
    AttemptRecord r =
        new AttemptRecord(
            d.deliveryId(),
            d.event().eventId(),
            d.event().eventType(),
            d.endpointId(),
            d.event().accountId(),
            d.attempt(),
            at,
            0,
            null,
            "endpoint_inactive",
            null,
            null,
            AttemptOutcome.DROPPED_ENDPOINT_INACTIVE);
    return send(topics.attempts(), d.endpointId().value(), r, new RecordHeaders());
  }

  private CompletableFuture<Void> deadLetter(
      Attempt a, Instant firstAttemptAt, DeliveryOutcome.GiveUpReason reason) {
    Delivery d = a.delivery();
    RecordHeaders h = new RecordHeaders();
    h.add(Headers.REASON, utf8(reason.wireName()));
    switch (a.result()) {
      case SendResult.Response r -> h.add(Headers.LAST_STATUS, utf8(String.valueOf(r.status())));
      case SendResult.Failure f -> h.add(Headers.LAST_ERROR, utf8(f.kind().wireName()));
      case SendResult.Refused u -> h.add(Headers.LAST_ERROR, utf8("unsafe_url"));
    }
    h.add(Headers.ATTEMPTS, utf8(String.valueOf(d.attempt())));
    h.add(Headers.FIRST_ATTEMPT_AT, utf8(firstAttemptAt.toString()));
    h.add(Headers.ENDPOINT_ID, utf8(d.endpointId().value()));
    h.add(Headers.EVENT_ID, utf8(d.event().eventId().value()));
    h.add(Headers.SOURCE_TOPIC, utf8(a.source().topic()));
    h.add(Headers.SOURCE_PARTITION, utf8(String.valueOf(a.source().partition())));
    h.add(Headers.SOURCE_OFFSET, utf8(String.valueOf(a.source().offset())));
    Delivery dead =
        new Delivery(
            d.deliveryId(), d.endpointId(), d.attempt(), firstAttemptAt, failure(a), d.event());
    return send(topics.dlq(), d.endpointId().value(), dead, h);
  }

  private static String failure(Attempt a) {
    return switch (a.result()) {
      case SendResult.Response r -> "http_" + r.status();
      case SendResult.Failure f -> f.kind().wireName();
      case SendResult.Refused u -> "unsafe_url";
    };
  }

  private static AttemptRecord attemptRecord(Attempt a, AttemptOutcome outcome) {
    Delivery d = a.delivery();
    Integer status = null;
    String error = null;
    String detail = null;
    String excerpt = null;
    switch (a.result()) {
      case SendResult.Response r -> {
        status = r.status();
        excerpt = r.excerpt().isEmpty() ? null : r.excerpt();
      }
      case SendResult.Failure f -> {
        error = f.kind().wireName();
        detail = f.detail();
      }
      case SendResult.Refused u -> {
        error = "unsafe_url";
        detail = u.reason();
      }
    }
    return new AttemptRecord(
        d.deliveryId(),
        d.event().eventId(),
        d.event().eventType(),
        d.endpointId(),
        d.event().accountId(),
        d.attempt(),
        a.startedAt(),
        a.result().duration().toMillis(),
        status,
        error,
        detail,
        excerpt,
        outcome);
  }

  private <V> CompletableFuture<Void> send(
      Topic<String, V> topic, String key, V value, RecordHeaders headers) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    byte[] k = topic.keySerde().serializer().serialize(topic.name(), key);
    byte[] v = topic.valueSerde().serializer().serialize(topic.name(), value);
    producer.send(
        new ProducerRecord<>(topic.name(), null, k, v, headers),
        (meta, e) -> {
          if (e == null) {
            done.complete(null);
          } else {
            done.completeExceptionally(e);
          }
        });
    return done;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
