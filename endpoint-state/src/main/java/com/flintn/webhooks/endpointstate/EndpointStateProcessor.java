package com.flintn.webhooks.endpointstate;

import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.common.topic.TopicCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies change commands and attempt records to each endpoint's state, in order per endpoint, and
 * writes the result to the endpoints table and status events. Every decision is in {@link
 * EndpointTransitions}; this class reads, stores and forwards. A record that cannot be read is
 * logged and skipped: it never stops the app.
 */
final class EndpointStateProcessor implements Processor<String, byte[], String, Object> {
  static final String STORE = "endpoint-state";
  static final String TO_ENDPOINTS = "to-endpoints";
  static final String TO_EVENTS = "to-endpoint-events";
  private static final Logger log = LoggerFactory.getLogger(EndpointStateProcessor.class);

  private final String changesTopic;
  private final Deserializer<EndpointChange> changes;
  private final Deserializer<AttemptRecord> attempts;
  private final Duration rotationGrace;
  private final MeterRegistry registry;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Endpoint> store;

  EndpointStateProcessor(TopicCatalog topics, Duration rotationGrace, MeterRegistry registry) {
    this.registry = registry;
    this.changesTopic = topics.endpointChanges().name();
    this.changes = topics.endpointChanges().valueSerde().deserializer();
    this.attempts = topics.attempts().valueSerde().deserializer();
    this.rotationGrace = rotationGrace;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
  }

  /** The {@code outcome} header of an attempt record, or null when it has none. */
  private static @Nullable String outcomeHeader(Record<String, byte[]> record) {
    Header h = record.headers().lastHeader(HeaderNames.OUTCOME);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
    if (record.key() == null || record.value() == null) {
      return;
    }
    Instant at = Instant.ofEpochMilli(record.timestamp());
    EndpointTransitions.Result result;
    try {
      if (topic.equals(changesTopic)) {
        EndpointChange change = changes.deserialize(topic, record.value());
        if (!change.endpointId().value().equals(record.key())) {
          log.warn("skipping change {} keyed {}: key and endpoint id differ", change, record.key());
          return;
        }
        result = EndpointTransitions.apply(store.get(record.key()), change, at, rotationGrace);
      } else {
        // Nearly every attempt changes nothing: skip those before reading the endpoint, whose
        // stored form is the costly part (its signing secrets are decrypted on every read).
        if (!EndpointTransitions.mayChangeState(outcomeHeader(record))) {
          return;
        }
        AttemptRecord attempt = attempts.deserialize(topic, record.value());
        if (!EndpointTransitions.mayChangeState(attempt)) {
          return;
        }
        result = EndpointTransitions.onAttempt(store.get(record.key()), attempt, at);
      }
    } catch (RuntimeException e) {
      log.warn("skipping unreadable record on {}: {}", topic, e.getMessage());
      return;
    }
    if (result.delete()) {
      store.delete(record.key());
      context.forward(record.withValue((Object) null), TO_ENDPOINTS);
    }
    result
        .next()
        .ifPresent(
            next -> {
              store.put(record.key(), next);
              context.forward(record.withValue((Object) next), TO_ENDPOINTS);
            });
    for (EndpointEvent event : result.events()) {
      context.forward(record.withValue((Object) event), TO_EVENTS);
      if (EndpointEvent.DISABLED.equals(event.type())) {
        WebhookMetrics.endpointsDisabled(registry, String.valueOf(event.reason())).increment();
      }
    }
  }
}
