package com.flintn.webhooks.dispatcher.record;

import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.dispatcher.http.SendResult;
import com.flintn.webhooks.dispatcher.outcome.DeliveryOutcome;
import com.flintn.webhooks.dispatcher.outcome.DeliveryOutcome.GiveUpReason;
import com.flintn.webhooks.dispatcher.outcome.RetryPlan;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes what became of an attempt: always an attempt record on {@code webhooks.attempts}; for a
 * retryable failure the next attempt on its delay tier, due a tier's delay after the failure; for a
 * final failure the delivery on {@code webhooks.dlq} with the failure headers. The returned future
 * completes when Kafka has acknowledged every record, which is when the source record counts as
 * finished. Thread safe.
 */
public final class OutcomeRecorder {
  private final KafkaWriter writer;
  private final TopicCatalog topics;
  private final Clock clock;
  private final DeliveryMetrics metrics;

  public OutcomeRecorder(
      KafkaWriter writer, TopicCatalog topics, Clock clock, DeliveryMetrics metrics) {
    this.writer = writer;
    this.topics = topics;
    this.clock = clock;
    this.metrics = metrics;
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
        int tier = RetryPlan.tierFor(d.attempt(), r.retryAfter(), topics.tiers());
        sent.add(toTier(tier, d.next(firstAttemptAt, r.failure())));
      }
      case DeliveryOutcome.RetryLater r -> {
        outcome = AttemptOutcome.DEAD_LETTERED;
        sent.add(deadLetter(a, firstAttemptAt, GiveUpReason.ATTEMPTS_EXHAUSTED));
      }
      case DeliveryOutcome.GiveUp g -> {
        outcome =
            g.reason() == GiveUpReason.UNSAFE_URL
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
            attemptHeaders(outcome, d.attempt())));
    metrics.attempted(a.result(), outcome);
    return sent.size() == 1
        ? sent.getFirst()
        : CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
  }

  /** Records that a delivery was not attempted because its endpoint is not active. */
  public CompletableFuture<Void> recordDropped(Delivery d) {
    metrics.notAttempted(AttemptOutcome.DROPPED_ENDPOINT_INACTIVE);
    return send(
        topics.attempts(),
        d.endpointId().value(),
        notAttempted(d, "endpoint_inactive", AttemptOutcome.DROPPED_ENDPOINT_INACTIVE),
        outcomeHeader(AttemptOutcome.DROPPED_ENDPOINT_INACTIVE));
  }

  /**
   * Puts a delivery that was not attempted, because its endpoint is saturated, on the first tier
   * with its attempt number unchanged, and records that.
   */
  public CompletableFuture<Void> recordDeferred(Delivery d) {
    metrics.notAttempted(AttemptOutcome.DEFERRED_ENDPOINT_BUSY);
    return CompletableFuture.allOf(
        toTier(0, d),
        send(
            topics.attempts(),
            d.endpointId().value(),
            notAttempted(d, "endpoint_busy", AttemptOutcome.DEFERRED_ENDPOINT_BUSY),
            outcomeHeader(AttemptOutcome.DEFERRED_ENDPOINT_BUSY)));
  }

  /**
   * Moves a delivery that was not attempted, because its endpoint is over its share of a main lane,
   * to the overflow lane as it is: same attempt number, same bytes. No attempt record: it has not
   * been attempted, and the attempt log stays one record per real attempt or final outcome.
   */
  public CompletableFuture<Void> recordOverflow(Delivery d) {
    metrics.overflowed();
    return send(topics.overflow(), d.endpointId().value(), d, new RecordHeaders());
  }

  private CompletableFuture<Void> toTier(int tier, Delivery next) {
    Instant dueAt = clock.instant().plus(topics.tiers().get(tier));
    RecordHeaders h = new RecordHeaders();
    h.add(HeaderNames.DUE_AT, utf8(String.valueOf(dueAt.toEpochMilli())));
    h.add(HeaderNames.ATTEMPTS, utf8(String.valueOf(next.attempt() - 1)));
    h.add(HeaderNames.ENDPOINT_ID, utf8(next.endpointId().value()));
    h.add(HeaderNames.EVENT_ID, utf8(next.event().eventId().value()));
    metrics.retryScheduled(topics.tiers().get(tier));
    return send(topics.retryTier(tier), next.endpointId().value(), next, h);
  }

  private AttemptRecord notAttempted(Delivery d, String error, AttemptOutcome outcome) {
    return AttemptRecord.of(d, clock.instant(), 0, null, error, null, null, outcome);
  }

  private CompletableFuture<Void> deadLetter(
      Attempt a, Instant firstAttemptAt, GiveUpReason reason) {
    Delivery d = a.delivery();
    RecordHeaders h = new RecordHeaders();
    h.add(HeaderNames.REASON, utf8(reason.wireName()));
    metrics.deadLettered(reason.wireName());
    switch (a.result()) {
      case SendResult.Response r ->
          h.add(HeaderNames.LAST_STATUS, utf8(String.valueOf(r.status())));
      case SendResult.Failure f -> h.add(HeaderNames.LAST_ERROR, utf8(f.kind().wireName()));
      case SendResult.Refused u -> h.add(HeaderNames.LAST_ERROR, utf8("unsafe_url"));
    }
    h.add(HeaderNames.ATTEMPTS, utf8(String.valueOf(d.attempt())));
    h.add(HeaderNames.FIRST_ATTEMPT_AT, utf8(firstAttemptAt.toString()));
    h.add(HeaderNames.ENDPOINT_ID, utf8(d.endpointId().value()));
    h.add(HeaderNames.EVENT_ID, utf8(d.event().eventId().value()));
    String topic = d.origin() != null ? d.origin().topic() : a.source().topic();
    int partition = d.origin() != null ? d.origin().partition() : a.source().partition();
    long offset = d.origin() != null ? d.origin().offset() : a.source().offset();
    h.add(HeaderNames.SOURCE_TOPIC, utf8(topic));
    h.add(HeaderNames.SOURCE_PARTITION, utf8(String.valueOf(partition)));
    h.add(HeaderNames.SOURCE_OFFSET, utf8(String.valueOf(offset)));
    return send(topics.dlq(), d.endpointId().value(), d.failedWith(firstAttemptAt, failure(a)), h);
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
    return AttemptRecord.of(
        d,
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
    byte[] k = topic.keySerde().serializer().serialize(topic.name(), key);
    byte[] v = topic.valueSerde().serializer().serialize(topic.name(), value);
    return writer.write(new ProducerRecord<>(topic.name(), null, k, v, headers));
  }

  /** The {@code outcome} header of an attempt record: its readers filter on it unparsed. */
  private static RecordHeaders outcomeHeader(AttemptOutcome outcome) {
    RecordHeaders h = new RecordHeaders();
    h.add(HeaderNames.OUTCOME, utf8(outcome.wireName()));
    return h;
  }

  /**
   * The headers of the record of a real attempt: its outcome and its number, with which the
   * endpoint-state app follows failures toward the disable rule unparsed (docs/design.md §4.1).
   */
  private static RecordHeaders attemptHeaders(AttemptOutcome outcome, int attempt) {
    RecordHeaders h = outcomeHeader(outcome);
    h.add(HeaderNames.ATTEMPT, utf8(String.valueOf(attempt)));
    return h;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
