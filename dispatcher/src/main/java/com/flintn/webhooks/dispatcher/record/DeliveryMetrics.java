package com.flintn.webhooks.dispatcher.record;

import com.flintn.webhooks.common.event.InvalidReason;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import com.flintn.webhooks.common.time.Durations;
import com.flintn.webhooks.dispatcher.http.SendResult;
import com.flintn.webhooks.dispatcher.outcome.DeliveryOutcome.GiveUpReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the dispatcher counts, recorded where outcomes are written: attempts by outcome and status
 * class, attempt durations, retries per tier, dead letters and invalid events by reason, dropped
 * deliveries. The meters of every attempt are kept here by their tags, so the hot path does not
 * build a meter id (and, for the histogram, its bucket configuration) per delivery.
 */
public final class DeliveryMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> deliveries = new ConcurrentHashMap<>();
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();

  public DeliveryMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Registers the meters whose tags are known in advance at zero, so a rate or an alert on them
   * sees their first increment rather than a series that appears at 1.
   */
  public void registerKnown(List<Duration> tiers) {
    for (GiveUpReason r : GiveUpReason.values()) {
      WebhookMetrics.dlqWrites(registry, r.wireName());
    }
    for (InvalidReason r : InvalidReason.values()) {
      WebhookMetrics.eventsInvalid(registry, r.wireName());
    }
    WebhookMetrics.eventsInvalid(registry, "invalid_delivery");
    for (Duration tier : tiers) {
      WebhookMetrics.retriesScheduled(registry, Durations.format(tier));
    }
    WebhookMetrics.dropped(registry, "endpoint_inactive");
    WebhookMetrics.overflowMoved(registry);
    WebhookMetrics.eventsDuplicates(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  void attempted(SendResult result, AttemptOutcome outcome) {
    String statusClass =
        WebhookMetrics.statusClass(
            result instanceof SendResult.Response r ? Integer.valueOf(r.status()) : null);
    deliveries(outcome, statusClass).increment();
    if (!(result instanceof SendResult.Refused)) {
      durations
          .computeIfAbsent(statusClass, c -> WebhookMetrics.deliveryDuration(registry, c))
          .record(result.duration());
    }
  }

  private Counter deliveries(AttemptOutcome outcome, String statusClass) {
    return deliveries.computeIfAbsent(
        outcome.wireName() + "/" + statusClass,
        k -> WebhookMetrics.deliveries(registry, outcome.wireName(), statusClass));
  }

  void notAttempted(AttemptOutcome outcome) {
    deliveries(outcome, "none").increment();
    if (outcome == AttemptOutcome.DROPPED_ENDPOINT_INACTIVE) {
      WebhookMetrics.dropped(registry, "endpoint_inactive").increment();
    }
  }

  void overflowed() {
    WebhookMetrics.overflowMoved(registry).increment();
  }

  void retryScheduled(Duration tier) {
    WebhookMetrics.retriesScheduled(registry, Durations.format(tier)).increment();
  }

  void deadLettered(String reason) {
    WebhookMetrics.dlqWrites(registry, reason).increment();
  }

  /** An event not delivered: a repeat within {@code events.dedup-window}. */
  public void duplicate() {
    WebhookMetrics.eventsDuplicates(registry).increment();
  }

  void invalid(String reason) {
    WebhookMetrics.eventsInvalid(registry, reason).increment();
  }
}
