package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.event.ParsedEvent;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.dispatcher.endpoint.EndpointView;
import com.flintn.webhooks.dispatcher.http.SendResult;
import com.flintn.webhooks.dispatcher.http.WebhookSender;
import com.flintn.webhooks.dispatcher.outcome.OutcomeClassifier;
import com.flintn.webhooks.dispatcher.record.InvalidRecordWriter;
import com.flintn.webhooks.dispatcher.record.OutcomeRecorder;
import com.flintn.webhooks.dispatcher.record.SourceRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one consumed record into finished work: an event is validated and fanned out to every
 * subscribed endpoint of its account, a due delivery is sent again; each attempt is sent on a
 * virtual thread and recorded. The future completes when everything the record caused has been
 * acknowledged by Kafka. Never throws for bad input. Thread safe.
 */
final class RecordHandler {
  private static final Logger log = LoggerFactory.getLogger(RecordHandler.class);
  private static final Duration RECORD_RETRY_BACKOFF = Duration.ofSeconds(1);

  private final String eventsTopic;
  private final Topic<String, Delivery> dueTopic;
  private final EventParser parser;
  private final EndpointView endpoints;
  private final WebhookSender sender;
  private final OutcomeRecorder recorder;
  private final InvalidRecordWriter invalid;
  private final EndpointLimits limits;
  private final ExecutorService workers;
  private final Clock clock;
  private volatile boolean running = true;

  RecordHandler(
      String eventsTopic,
      Topic<String, Delivery> dueTopic,
      EventParser parser,
      EndpointView endpoints,
      WebhookSender sender,
      OutcomeRecorder recorder,
      InvalidRecordWriter invalid,
      EndpointLimits limits,
      ExecutorService workers,
      Clock clock) {
    this.eventsTopic = eventsTopic;
    this.dueTopic = dueTopic;
    this.parser = parser;
    this.endpoints = endpoints;
    this.sender = sender;
    this.recorder = recorder;
    this.invalid = invalid;
    this.limits = limits;
    this.workers = workers;
    this.clock = clock;
  }

  void stop() {
    running = false;
  }

  CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> r) {
    SourceRecord source = new SourceRecord(r.topic(), r.partition(), r.offset());
    if (r.topic().equals(eventsTopic)) {
      return switch (parser.parse(r.value())) {
        case ParsedEvent.Invalid bad ->
            persist(() -> invalid.write(r, bad.reason().wireName(), bad.detail(), clock.instant()));
        case ParsedEvent.Valid ok -> fanOut(ok, source);
      };
    }
    Delivery due;
    try {
      due = dueTopic.valueSerde().deserializer().deserialize(r.topic(), r.value());
      if (due == null) {
        throw new IllegalArgumentException("empty value");
      }
    } catch (RuntimeException e) {
      return persist(() -> invalid.write(r, "invalid_delivery", e.getMessage(), clock.instant()));
    }
    byte[] body = Json.bytes(due.event());
    Optional<Endpoint> endpoint = endpoints.get(due.endpointId());
    if (endpoint.isEmpty() || !endpoint.get().isActive()) {
      return persist(() -> recorder.recordDropped(due, clock.instant()));
    }
    return attempt(endpoint.get(), due, body, source);
  }

  private CompletableFuture<Void> fanOut(ParsedEvent.Valid ok, SourceRecord source) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Endpoint e : endpoints.subscribers(ok.event().accountId(), ok.event().eventType())) {
      Delivery d = Delivery.first(ok.event(), e.endpointId());
      if (e.isActive()) {
        all.add(attempt(e, d, ok.body(), source));
      } else {
        all.add(persist(() -> recorder.recordDropped(d, clock.instant())));
      }
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> attempt(
      Endpoint endpoint, Delivery delivery, byte[] body, SourceRecord source) {
    CompletableFuture<OutcomeRecorder.Attempt> attempted =
        CompletableFuture.supplyAsync(
            () -> {
              Semaphore slot;
              try {
                slot = limits.acquire(endpoint.endpointId());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("dispatcher stopping", e);
              }
              try {
                Instant started = clock.instant();
                SendResult result = sender.send(endpoint, delivery, body);
                return new OutcomeRecorder.Attempt(
                    endpoint,
                    delivery,
                    started,
                    result,
                    OutcomeClassifier.classify(result),
                    source);
              } finally {
                slot.release();
              }
            },
            workers);
    return attempted.thenCompose(a -> persist(() -> recorder.record(a)));
  }

  /**
   * Runs a Kafka write until it is acknowledged, retrying after a pause while the dispatcher runs:
   * the source record stays unfinished (and uncommitted) until then, so nothing is lost.
   */
  private CompletableFuture<Void> persist(Supplier<CompletableFuture<Void>> write) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    persistInto(write, done);
    return done;
  }

  private void persistInto(Supplier<CompletableFuture<Void>> write, CompletableFuture<Void> done) {
    write
        .get()
        .whenComplete(
            (ok, e) -> {
              if (e == null) {
                done.complete(null);
              } else if (running) {
                log.warn("write to Kafka failed, retrying: {}", e.toString());
                CompletableFuture.delayedExecutor(
                        RECORD_RETRY_BACKOFF.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .execute(() -> persistInto(write, done));
              } else {
                done.completeExceptionally(e);
              }
            });
  }
}
