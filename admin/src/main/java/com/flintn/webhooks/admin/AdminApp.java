package com.flintn.webhooks.admin;

import com.flintn.webhooks.admin.api.AdminServer;
import com.flintn.webhooks.admin.api.AdminServer.HealthReport;
import com.flintn.webhooks.admin.api.EndpointQuota;
import com.flintn.webhooks.admin.api.EndpointRequests;
import com.flintn.webhooks.admin.api.TestEvents;
import com.flintn.webhooks.admin.api.WebhookApi;
import com.flintn.webhooks.admin.attempts.AttemptLog;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.admin.changes.EndpointChanges;
import com.flintn.webhooks.admin.deliveries.DeliverySearch;
import com.flintn.webhooks.admin.dlq.ReplayLog;
import com.flintn.webhooks.admin.notifications.NotificationLog;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.eventtype.EventTypeView;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.metrics.EndpointGauges;
import com.flintn.webhooks.common.metrics.Health;
import com.flintn.webhooks.common.topic.TopicCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The admin process (docs/design.md §5): the REST API for endpoints, test events and the delivery
 * log, and the dashboard. It writes nothing to the endpoints table itself: changes go as commands
 * to the endpoint-state app, and reads come from its own view of the table. Lifecycle: {@link
 * #start()} once, then {@link #close()}.
 */
public final class AdminApp implements AutoCloseable {
  /** How long a write waits for the endpoint-state app to apply it before answering 503. */
  static final Duration APPLY_TIMEOUT = Duration.ofSeconds(10);

  static final int ATTEMPTS_PER_ENDPOINT = 100;
  static final int ATTEMPT_LOG_ENDPOINTS = 20_000;
  static final int NOTICES_PER_ACCOUNT = 50;
  static final int NOTICE_ACCOUNTS = 20_000;
  static final long NOTICE_BACKFILL_PER_PARTITION = 20_000;

  private final EndpointView view;
  private final EventTypeView eventTypes;
  private final String eventTypesTopic;
  private final Admin kafkaAdmin;
  private final KafkaProducer<byte[], byte[]> producer;
  private final EndpointChanges changes;
  private final AttemptLog attempts;
  private final DeliverySearch deliveries;
  private final ReplayLog replayLog;
  private final NotificationLog notifications;
  private final WebhookApi api;
  private final AdminServer server;
  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  public AdminApp(FlintnConfig config, ApiKeys keys, Clock clock) {
    this(config, keys, clock, new SimpleMeterRegistry());
  }

  /** An admin app that times its requests and counts endpoints in {@code registry}. */
  public AdminApp(FlintnConfig config, ApiKeys keys, Clock clock, MeterRegistry registry) {
    config.secrets().requireCipher(); // secrets are written encrypted; refuse before any I/O
    KafkaConfig kafka = config.kafka();
    TopicCatalog topics = config.topicCatalog();
    this.view = new EndpointView(kafka, topics.endpoints());
    this.eventTypes = new EventTypeView(kafka, topics.eventTypes());
    this.eventTypesTopic = topics.eventTypes().name();
    this.kafkaAdmin = Admin.create(KafkaClients.admin(kafka, "admin-api"));
    this.producer =
        new KafkaProducer<>(
            producerProperties(kafka), new ByteArraySerializer(), new ByteArraySerializer());
    this.changes = new EndpointChanges(kafka, topics, producer, kafkaAdmin, view, APPLY_TIMEOUT);
    this.attempts = new AttemptLog(ATTEMPTS_PER_ENDPOINT, ATTEMPT_LOG_ENDPOINTS);
    this.deliveries =
        new DeliverySearch(
            kafka,
            topics.attempts(),
            config.admin().deliverySearchMaxAttempts(),
            clock,
            attempts::add);
    this.replayLog = new ReplayLog(kafka, topics.dlqReplays().name());
    this.notifications =
        new NotificationLog(
            kafka,
            topics.endpointEvents(),
            NOTICES_PER_ACCOUNT,
            NOTICE_ACCOUNTS,
            NOTICE_BACKFILL_PER_PARTITION);
    this.api =
        new WebhookApi(
            view,
            changes,
            attempts,
            EndpointRequests.withGuard(config.urlGuardAllow()),
            new EndpointQuota(config.admin().maxEndpointsPerAccount()),
            new TestEvents(
                topics.deliveriesDue(),
                producer,
                clock,
                APPLY_TIMEOUT,
                config.admin().testEventsPerMinute()),
            kafka,
            topics,
            replayLog,
            clock,
            eventTypes,
            notifications,
            deliveries);
    this.server = new AdminServer(config.admin().port(), keys, api, this::health, registry);
    EndpointGauges.bind(registry, view);
  }

  public void start() throws InterruptedException {
    open.push(replayLog);
    open.push(notifications);
    open.push(deliveries);
    open.push(changes);
    open.push(view);
    open.push(eventTypes);
    open.push(kafkaAdmin);
    open.push(producer);
    view.start();
    Duration tableRead = Duration.ofSeconds(60);
    if (!view.awaitCaughtUp(tableRead)) {
      throw new IllegalStateException(
          "the endpoints table could not be read" + view.notCaughtUp(tableRead));
    }
    var keyProblem = view.keyProblem();
    if (keyProblem.isPresent()) {
      throw keyProblem.get(); // its endpoints would look deleted to their accounts
    }
    eventTypes.start();
    if (!eventTypes.awaitCaughtUp(Duration.ofSeconds(60))) {
      throw new IllegalStateException(
          "the event-type catalogue ("
              + eventTypesTopic
              + ") could not be read within 60 s; if the topic is missing, run topics create");
    }
    changes.start();
    deliveries.start();
    replayLog.start();
    notifications.start();
    server.start();
    open.push(server);
  }

  /** Sends give up within the write bound, so a request never outwaits it on an absent broker. */
  private static Properties producerProperties(KafkaConfig kafka) {
    Properties p = KafkaClients.producer(kafka, "admin-api");
    p.put("max.block.ms", String.valueOf(APPLY_TIMEOUT.toMillis()));
    p.put("delivery.timeout.ms", String.valueOf(APPLY_TIMEOUT.toMillis()));
    p.put("request.timeout.ms", String.valueOf(APPLY_TIMEOUT.toMillis() / 2));
    return p;
  }

  /**
   * Holds one of {@code account}'s dead-letter read slots until closed, as a long read would; for
   * tests of the per-account limit.
   */
  AutoCloseable holdDeadLetterRead(AccountId account) {
    return api.holdDeadLetterReads(account);
  }

  /** The port the API listens on (the configured one, or the one picked for port 0). */
  public int port() {
    return server.port();
  }

  /** Adds this app's check: its view of the endpoints table is loaded. */
  public void addHealthChecks(Health health) {
    health.add(
        "admin_endpoint_table",
        () ->
            view.problem()
                .map(Health.Status::down)
                .orElseGet(() -> Health.Status.up(view.size() + " endpoints known")));
    health.add(
        "admin_event_types",
        () ->
            eventTypes.isHealthy()
                ? Health.Status.up(eventTypes.size() + " event types in the catalogue")
                : Health.Status.down("the event-type catalogue is not loaded or not being read"));
    health.add(
        "admin_delivery_search",
        () -> {
          DeliverySearch.Progress p = deliveries.progress();
          if (!deliveries.isReading(Duration.ofSeconds(30))) {
            return Health.Status.down("the attempts topic is not being read");
          }
          return Health.Status.up(
              p.complete()
                  ? deliveries.index().stats().attempts() + " attempts indexed"
                  : "loading the attempts topic: " + p.percent() + "%");
        });
  }

  /** The delivery search index and its load, for tests and benchmarks. */
  public DeliverySearch deliverySearch() {
    return deliveries;
  }

  private HealthReport health() {
    boolean healthy = view.isHealthy(); // public: says nothing about the accounts' endpoints
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", healthy ? "up" : "down");
    body.put(
        "endpoints_table",
        healthy
            ? "reading"
            : view.keyProblem().isPresent()
                ? "holds records the configured secrets keys cannot read"
                : "not loaded or not being read");
    return new HealthReport(healthy, body);
  }

  @Override
  public void close() {
    while (!open.isEmpty()) {
      try {
        open.pop().close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }
}
