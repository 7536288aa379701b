package com.flintn.webhooks.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The product's metrics (docs/design.md §9): names in dotted lowercase, tags with bounded values
 * only (outcome, status class, tier, reason, status; never an event id, URL or endpoint id). In
 * Prometheus they read {@code webhook_deliveries_total}, {@code
 * webhook_delivery_duration_seconds_bucket} and so on; {@code deploy/} alerts and dashboards use
 * those names, and a test checks they exist in a live scrape.
 */
public final class WebhookMetrics {
  public static final String DELIVERIES = "webhook.deliveries";
  public static final String DELIVERY_DURATION = "webhook.delivery.duration";
  public static final String IN_FLIGHT = "webhook.deliveries.in.flight";
  public static final String RETRIES_SCHEDULED = "webhook.retries.scheduled";
  public static final String RETRIES_MOVED = "webhook.retries.moved";
  public static final String RETRY_LATENESS = "webhook.retry.lateness";
  public static final String DLQ_WRITES = "webhook.dlq.writes";
  public static final String EVENTS_INVALID = "webhook.events.invalid";
  public static final String EVENTS_DUPLICATES = "webhook.events.duplicates";
  public static final String DROPPED = "webhook.deliveries.dropped";
  public static final String ENDPOINTS = "webhook.endpoints";
  public static final String ENDPOINTS_DISABLED = "webhook.endpoints.disabled";
  public static final String CONSUMER_LAG = "webhook.consumer.lag";
  public static final String HEALTH = "webhook.health";
  public static final String OVERFLOW_MOVED = "webhook.overflow.moved";
  public static final String OVERFLOW_BACKLOG = "webhook.overflow.backlog";
  public static final String RATE_LIMIT_WAITING = "webhook.rate.limit.waiting";
  public static final String RATE_LIMIT_PACED = "webhook.rate.limit.paced";
  public static final String RATE_LIMIT_MOVED = "webhook.rate.limit.moved";
  public static final String ADMIN_REQUESTS = "webhook.admin.requests";

  private static final Duration[] DELIVERY_BUCKETS = {
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30)
  };

  private static final Duration[] LATENESS_BUCKETS = {
    Duration.ofMillis(10),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30)
  };

  private WebhookMetrics() {}

  /** A Prometheus registry with the JVM and process metrics bound. */
  public static PrometheusMeterRegistry prometheus() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Two of Micrometer's process meters break Prometheus naming rules (promtool check metrics:
    // an abbreviated unit, and _count on a gauge); process_cpu_usage and the JVM meters remain.
    r.config()
        .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
        .meterFilter(MeterFilter.denyNameStartsWith("system.cpu.count"));
    new JvmMemoryMetrics().bindTo(r);
    new JvmGcMetrics().bindTo(r); // lives as long as the process
    new JvmThreadMetrics().bindTo(r);
    new ClassLoaderMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
    new FileDescriptorMetrics().bindTo(r);
    return r;
  }

  /** One attempt's outcome; {@code statusClass} is 2xx..5xx, or none without a response. */
  public static Counter deliveries(MeterRegistry r, String outcome, String statusClass) {
    return Counter.builder(DELIVERIES)
        .description("Delivery attempts (and deliveries not attempted) by outcome")
        .tag("outcome", outcome)
        .tag("status_class", statusClass)
        .register(r);
  }

  /** The HTTP duration of one attempt, with SLO-friendly buckets. */
  public static Timer deliveryDuration(MeterRegistry r, String statusClass) {
    return Timer.builder(DELIVERY_DURATION)
        .description("Duration of delivery attempts, request to response")
        .tag("status_class", statusClass)
        .serviceLevelObjectives(DELIVERY_BUCKETS)
        .register(r);
  }

  public static Counter retriesScheduled(MeterRegistry r, String tier) {
    return counter(r, RETRIES_SCHEDULED, "Retries written to a delay tier", "tier", tier);
  }

  public static Counter retriesMoved(MeterRegistry r, String tier) {
    return counter(
        r,
        RETRIES_MOVED,
        "Retries moved from a delay tier to the due topic when due",
        "tier",
        tier);
  }

  /** How late a retry was moved after it fell due. */
  public static Timer retryLateness(MeterRegistry r, String tier) {
    return Timer.builder(RETRY_LATENESS)
        .description("Time from a retry's due time to its move to the due topic")
        .tag("tier", tier)
        .serviceLevelObjectives(LATENESS_BUCKETS)
        .register(r);
  }

  public static Counter dlqWrites(MeterRegistry r, String reason) {
    return counter(
        r,
        DLQ_WRITES,
        "Deliveries given up and written to the dead-letter topic",
        "reason",
        reason);
  }

  public static Counter eventsInvalid(MeterRegistry r, String reason) {
    return counter(
        r,
        EVENTS_INVALID,
        "Events refused and written to the invalid-events topic",
        "reason",
        reason);
  }

  /**
   * Events not delivered because their account and event id were seen first in the same events
   * partition within {@code events.dedup-window}.
   */
  public static Counter eventsDuplicates(MeterRegistry r) {
    return Counter.builder(EVENTS_DUPLICATES)
        .description(
            "Events not delivered: a repeat of an event id seen in the same partition within"
                + " events.dedup-window")
        .register(r);
  }

  public static Counter dropped(MeterRegistry r, String reason) {
    return counter(r, DROPPED, "Deliveries not attempted and not kept", "reason", reason);
  }

  /** Deliveries moved to the overflow lane because their endpoint was over its share. */
  public static Counter overflowMoved(MeterRegistry r) {
    return Counter.builder(OVERFLOW_MOVED)
        .description(
            "Deliveries moved to the overflow lane, unattempted, because their endpoint was"
                + " over its share of a partition")
        .register(r);
  }

  public static Counter endpointsDisabled(MeterRegistry r, String reason) {
    return counter(r, ENDPOINTS_DISABLED, "Endpoints disabled, by reason", "reason", reason);
  }

  /** A counter with one bounded tag. */
  private static Counter counter(
      MeterRegistry r, String name, String description, String tag, String value) {
    return Counter.builder(name).description(description).tag(tag, value).register(r);
  }

  /** 2xx, 3xx, 4xx or 5xx for a status; none without one. */
  public static String statusClass(@Nullable Integer status) {
    return status == null || status < 100 || status > 599 ? "none" : (status / 100) + "xx";
  }
}
