package com.flintn.webhooks.endpointstate;

import com.flintn.webhooks.common.event.OperationalEvents;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.common.topic.TopicCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies change commands and attempt records to each endpoint's state, in order per endpoint, and
 * writes the result to the endpoints table and status events; follows each endpoint's failures
 * toward the disable rule and tells the account (operational webhooks on the events topic,
 * docs/design.md §4.1). Every decision is in {@link EndpointTransitions} and {@link FailureLevels};
 * this class reads, stores and forwards. A record that cannot be read is logged and skipped: it
 * never stops the app.
 */
final class EndpointStateProcessor implements Processor<String, byte[], String, Object> {
  static final String STORE = "endpoint-state";
  static final String TO_ENDPOINTS = "to-endpoints";
  static final String TO_EVENTS = "to-endpoint-events";
  static final String HEALTH_STORE = "endpoint-health";
  static final String TO_WEBHOOK_EVENTS = "to-webhook-events";
  private static final Logger log = LoggerFactory.getLogger(EndpointStateProcessor.class);

  private final String changesTopic;
  private final Deserializer<EndpointChange> changes;
  private final Deserializer<AttemptRecord> attempts;
  private final Duration rotationGrace;
  private final MeterRegistry registry;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Endpoint> store;
  private KeyValueStore<String, FailureLevels.Health> health;

  /** The endpoints of this task with a warning level above 0: the keys of {@link #health}. */
  private final Set<String> failing = new HashSet<>();

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
    this.health = context.getStateStore(HEALTH_STORE);
    loadFailing();
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
    AttemptRecord attempt = null;
    Endpoint current;
    try {
      if (topic.equals(changesTopic)) {
        EndpointChange change = changes.deserialize(topic, record.value());
        if (!change.endpointId().value().equals(record.key())) {
          log.warn("skipping change {} keyed {}: key and endpoint id differ", change, record.key());
          return;
        }
        current = store.get(record.key());
        result = EndpointTransitions.apply(current, change, at, rotationGrace);
      } else {
        // Nearly every attempt changes nothing: skip those before reading the endpoint, whose
        // stored form is the costly part (its signing secrets are decrypted on every read).
        // Delivered records cost a header and a set lookup; failed ones a header, unless they
        // reach a warning level (docs/design.md §4.1).
        String outcome = outcomeHeader(record);
        if (DELIVERED.equals(outcome)) {
          if (failing.contains(record.key())) {
            recovered(record, at);
          }
          return;
        }
        if (RETRY_SCHEDULED.equals(outcome)) {
          int n = attemptHeader(record);
          if (n != UNKNOWN && FailureLevels.warningLevel(n) == 0) {
            return;
          }
        } else if (!EndpointTransitions.mayChangeState(outcome)) {
          return;
        }
        attempt = attempts.deserialize(topic, record.value());
        if (attempt.outcome() == AttemptOutcome.DELIVERED) {
          if (failing.contains(record.key())) {
            recovered(record, at);
          }
          return;
        }
        if (attempt.outcome() == AttemptOutcome.RETRY_SCHEDULED) {
          failedAttempt(record, attempt, at);
          return;
        }
        if (!EndpointTransitions.mayChangeState(attempt)) {
          return;
        }
        current = store.get(record.key());
        result = EndpointTransitions.onAttempt(current, attempt, at);
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
    afterTransition(record, current, result, attempt, at);
  }

  // ---- failure notifications (docs/design.md §4.1) ----

  private static final String DELIVERED = AttemptOutcome.DELIVERED.wireName();
  private static final String RETRY_SCHEDULED = AttemptOutcome.RETRY_SCHEDULED.wireName();
  private static final int UNKNOWN = -1;

  /** The {@code attempt} header of an attempt record, or {@link #UNKNOWN}. */
  private static int attemptHeader(Record<String, byte[]> record) {
    Header h = record.headers().lastHeader(HeaderNames.ATTEMPT);
    if (h == null || h.value() == null) {
      return UNKNOWN;
    }
    try {
      return Integer.parseInt(new String(h.value(), StandardCharsets.UTF_8));
    } catch (NumberFormatException e) {
      return UNKNOWN;
    }
  }

  /** Loads the endpoints that are failing now, for the check on every delivered record. */
  private void loadFailing() {
    try (KeyValueIterator<String, FailureLevels.Health> all = health.all()) {
      while (all.hasNext()) {
        var kv = all.next();
        if (kv.value != null && kv.value.failing()) {
          failing.add(kv.key);
        }
      }
    }
  }

  /** A failed, retried attempt: raises the endpoint's warning level if it reaches a new one. */
  private void failedAttempt(Record<String, byte[]> record, AttemptRecord a, Instant at) {
    Endpoint endpoint = store.get(record.key());
    if (endpoint == null
        || !endpoint.isActive()
        || endpoint.predatesStatusOrUrl(a.startedAt())
        || !endpoint.endpointId().equals(a.endpointId())) {
      return;
    }
    var rise =
        FailureLevels.onFailed(health.get(record.key()), endpoint.accountId(), a.attempt(), at);
    if (rise.isEmpty()) {
      return;
    }
    FailureLevels.Health next = rise.get().next();
    health.put(record.key(), next);
    failing.add(record.key());
    context.forward(
        record.withValue(
            (Object)
                new EndpointEvent(
                    EndpointEvent.FAILING,
                    endpoint.endpointId(),
                    endpoint.accountId(),
                    at,
                    rise.get().sendWebhook() ? null : "notified_within_quiet_period",
                    lastStatus(a),
                    a.eventId(),
                    null,
                    next.percent())),
        TO_EVENTS);
    if (rise.get().sendWebhook()) {
      sendOperational(
          record,
          OperationalEvents.failing(
              subject(endpoint),
              next.percent(),
              a.attempt(),
              Delivery.MAX_ATTEMPTS,
              lastFailure(a),
              at,
              seed(record)));
    }
  }

  /** A delivered attempt to a failing endpoint: its warning is over. */
  private void recovered(Record<String, byte[]> record, Instant at) {
    FailureLevels.Health current = health.get(record.key());
    failing.remove(record.key());
    var next = FailureLevels.onDelivered(current, at);
    if (next.isEmpty()) {
      return;
    }
    health.put(record.key(), next.get());
    context.forward(
        record.withValue(
            (Object)
                new EndpointEvent(
                    EndpointEvent.RECOVERED,
                    EndpointId.of(record.key()),
                    current.accountId(),
                    at,
                    "delivered",
                    null,
                    null,
                    null)),
        TO_EVENTS);
  }

  /**
   * After a transition: an automatic disable is told to the account, and any change of status or
   * URL, or a deletion, ends the endpoint's warning (a reactivated or repaired endpoint starts
   * afresh).
   */
  private void afterTransition(
      Record<String, byte[]> record,
      Endpoint before,
      EndpointTransitions.Result result,
      @Nullable AttemptRecord attempt,
      Instant at) {
    boolean ends = result.delete();
    for (EndpointEvent event : result.events()) {
      switch (event.type()) {
        case EndpointEvent.DISABLED,
            EndpointEvent.REACTIVATED,
            EndpointEvent.REVOKED,
            EndpointEvent.DELETED ->
            ends = true;
        default -> {}
      }
      if (EndpointEvent.DISABLED.equals(event.type())
          && EndpointTransitions.ATTEMPTS_EXHAUSTED.equals(event.reason())
          && before != null
          && attempt != null) {
        sendOperational(
            record,
            OperationalEvents.disabled(
                subject(before),
                EndpointTransitions.ATTEMPTS_EXHAUSTED,
                lastFailure(attempt),
                at,
                seed(record)));
      }
    }
    Endpoint after = result.next().orElse(null);
    if (before != null && after != null && !before.url().equals(after.url())) {
      ends = true;
    }
    if (!ends || health.get(record.key()) == null) {
      return;
    }
    boolean wasFailing = failing.remove(record.key());
    health.delete(record.key());
    if (wasFailing && after != null && after.isActive()) {
      context.forward(
          record.withValue(
              (Object)
                  new EndpointEvent(
                      EndpointEvent.RECOVERED,
                      after.endpointId(),
                      after.accountId(),
                      at,
                      "url_changed",
                      null,
                      null,
                      null)),
          TO_EVENTS);
    }
  }

  /** Sends an operational webhook: an event on the events topic, keyed by its account. */
  private void sendOperational(Record<String, byte[]> record, Event event) {
    context.forward(
        record.withKey(event.accountId().value()).withValue((Object) Json.bytes(event)),
        TO_WEBHOOK_EVENTS);
  }

  /** Where the record that caused a notification is: the same record gives the same event id. */
  private String seed(Record<String, byte[]> record) {
    return context
        .recordMetadata()
        .map(m -> m.topic() + "/" + m.partition() + "/" + m.offset())
        .orElse(record.key() + "/" + record.timestamp());
  }

  private static OperationalEvents.Subject subject(Endpoint e) {
    return new OperationalEvents.Subject(e.endpointId(), e.accountId(), e.name(), e.url());
  }

  private static OperationalEvents.LastFailure lastFailure(AttemptRecord a) {
    return new OperationalEvents.LastFailure(a.eventId(), a.status(), a.error());
  }

  private static @Nullable String lastStatus(AttemptRecord a) {
    return a.status() != null ? String.valueOf(a.status()) : a.error();
  }
}
