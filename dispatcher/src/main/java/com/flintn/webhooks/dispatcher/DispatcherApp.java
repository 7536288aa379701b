package com.flintn.webhooks.dispatcher;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.eventtype.EventTypeView;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.metrics.EndpointGauges;
import com.flintn.webhooks.common.metrics.Health;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.dispatcher.consume.DeliveryLoops;
import com.flintn.webhooks.dispatcher.http.WebhookSender;
import com.flintn.webhooks.dispatcher.record.DeliveryMetrics;
import com.flintn.webhooks.dispatcher.record.DeliverySizeLimit;
import com.flintn.webhooks.dispatcher.record.EventSchemas;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher process: reads the endpoint table, consumes {@code webhooks.events} and {@code
 * webhooks.deliveries.due}, and delivers. Instances sharing {@link #groupId} split the partitions.
 * Lifecycle: {@link #start()} once, then {@link #close()} (graceful: finishes in-flight work and
 * commits) or {@link #halt()} (as a crash: commits nothing).
 */
public final class DispatcherApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DispatcherApp.class);
  private static final Duration VIEW_READY_TIMEOUT = Duration.ofSeconds(60);

  private final FlintnConfig config;
  private final TopicCatalog topics;
  private final Clock clock;
  private final DeliveryMetrics metrics;
  private @Nullable EndpointView view;
  private @Nullable EventTypeView eventTypes;
  private @Nullable WebhookSender sender;
  private @Nullable KafkaProducer<byte[], byte[]> producer;
  private @Nullable DeliveryLoops loops;

  public DispatcherApp(FlintnConfig config, Clock clock) {
    this(config, clock, new SimpleMeterRegistry());
  }

  /** A dispatcher that records its metrics in {@code registry}. */
  public DispatcherApp(FlintnConfig config, Clock clock, MeterRegistry registry) {
    this.config = config;
    this.clock = clock;
    this.metrics = new DeliveryMetrics(registry);
    metrics.registerKnown(config.retry().tiers());
    config.secrets().requireCipher(); // refuse to start without the key, before any I/O
    this.topics = config.topicCatalog();
  }

  /** The consumer group of every dispatcher of this topic prefix. */
  public String groupId() {
    return config.topics().prefix() + ".dispatcher";
  }

  /**
   * Reads the endpoint table to its end, then starts consuming.
   *
   * @throws IllegalStateException if the endpoint table cannot be read within a minute
   * @throws com.flintn.webhooks.common.config.ConfigException if the table holds endpoints whose
   *     secrets {@code secrets.encryption-key} cannot decrypt: nothing is consumed then
   */
  public void start() throws InterruptedException {
    view = new EndpointView(config.kafka(), topics.endpoints());
    view.start();
    if (!view.awaitCaughtUp(VIEW_READY_TIMEOUT)) {
      close();
      // A refused login says so at once, rather than as a timeout a minute later.
      throw new IllegalStateException(
          "could not read "
              + topics.endpoints().name()
              + " from "
              + config.kafka().bootstrapServers()
              + view.notCaughtUp(VIEW_READY_TIMEOUT));
    }
    var keyProblem = view.keyProblem();
    if (keyProblem.isPresent()) {
      // Going on would fan events out without these endpoints and drop their retries as if
      // they were deleted.
      close();
      throw keyProblem.get();
    }
    Optional<EventSchemas> schemas = Optional.empty();
    if (config.dispatcher().validateSchemas()) {
      eventTypes = new EventTypeView(config.kafka(), topics.eventTypes());
      eventTypes.start();
      if (!eventTypes.awaitCaughtUp(VIEW_READY_TIMEOUT)) {
        close();
        throw new IllegalStateException(
            "could not read "
                + topics.eventTypes().name()
                + " (events.validate-schemas=true) from "
                + config.kafka().bootstrapServers()
                + " within 60 s; if the topic is missing, run topics create");
      }
      schemas = Optional.of(new EventSchemas(eventTypes));
    }
    sender = new WebhookSender(config.http(), new UrlGuard(config.urlGuardAllow()), clock);
    producer =
        new KafkaProducer<>(
            producerProperties(config.kafka()),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    try {
      loops =
          new DeliveryLoops(
              config, topics, groupId(), view, sender, producer, clock, metrics, schemas);
    } catch (RuntimeException e) {
      close(); // a configuration the topics cannot hold: nothing was consumed
      throw e;
    }
    loops.start();
    MeterRegistry r = metrics.registry();
    WebhookSender s = sender;
    DeliveryLoops l = loops;
    Gauge.builder(WebhookMetrics.IN_FLIGHT, s, WebhookSender::inFlight)
        .description("Delivery requests in flight")
        .register(r);
    Gauge.builder(WebhookMetrics.CONSUMER_LAG, l, DeliveryLoops::lag)
        .description("Records not yet consumed on the assigned partitions")
        .tag("group", "dispatcher")
        .register(r);
    Gauge.builder(WebhookMetrics.OVERFLOW_BACKLOG, l, DeliveryLoops::overflowBacklog)
        .description(
            "Deliveries held back in the overflow lane on the assigned partitions (unread or in"
                + " flight)")
        .register(r);
    bindRateLimitMeters(r, l);
    EndpointGauges.bind(r, view);
    log.info(
        "dispatcher started: group {}, {} endpoints known, consuming {}, {} and {}",
        groupId(),
        view.size(),
        topics.events().name(),
        topics.deliveriesDue().name(),
        topics.overflow().name());
  }

  /** The meters of endpoints' own rate limits (docs/design.md §6.6). */
  private static void bindRateLimitMeters(MeterRegistry r, DeliveryLoops l) {
    Gauge.builder(WebhookMetrics.RATE_LIMIT_WAITING, l, DeliveryLoops::rateLimitWaiting)
        .description("Deliveries waiting for their endpoint's rate limit to let them go")
        .register(r);
    FunctionCounter.builder(WebhookMetrics.RATE_LIMIT_PACED, l, DeliveryLoops::rateLimitPaced)
        .description("Deliveries that waited for their endpoint's rate limit")
        .register(r);
    FunctionCounter.builder(WebhookMetrics.RATE_LIMIT_MOVED, l, DeliveryLoops::rateLimitMoved)
        .description(
            "Deliveries of rate-limited endpoints moved to the overflow lane, where one"
                + " dispatcher paces each endpoint")
        .register(r);
  }

  /**
   * Adds this dispatcher's checks: the endpoint table is loaded, the consumer is running, no
   * partition is stopped by a write that failed for good.
   */
  public void addHealthChecks(Health health) {
    health.add(
        "endpoint_table",
        () -> {
          EndpointView v = view;
          return v == null
              ? Health.Status.down("the endpoints table is not loaded or not being read")
              : v.problem()
                  .map(Health.Status::down)
                  .orElseGet(() -> Health.Status.up(v.size() + " endpoints known"));
        });
    health.addLiveness(
        "dispatcher_consumer",
        () ->
            loops != null && loops.isRunning()
                ? Health.Status.up(loops.assignedPartitions() + " partitions assigned")
                : Health.Status.down("the dispatcher's consumer is not running"));
    health.add(
        "dispatcher_writes",
        () -> {
          List<String> stopped = loops == null ? List.of() : loops.stoppedPartitions();
          return stopped.isEmpty()
              ? Health.Status.up("no partition stopped")
              : Health.Status.down(String.join("; ", stopped));
        });
  }

  /**
   * Partitions stopped because work on them failed in a way retrying cannot fix; see the {@code
   * dispatcher_writes} health check.
   */
  public List<String> stoppedPartitions() {
    return loops == null ? List.of() : loops.stoppedPartitions();
  }

  /** Endpoints currently known; for health reporting and tests. */
  public int knownEndpoints() {
    return view == null ? 0 : view.size();
  }

  /** The view of the endpoints table; for tests of a view that lags behind it. */
  @Nullable EndpointView endpointView() {
    return view;
  }

  /** The endpoint as this dispatcher currently sees it, if it knows it. */
  public Optional<Endpoint> knownEndpoint(EndpointId id) {
    return view == null ? Optional.empty() : view.get(id);
  }

  /**
   * Stops within {@code shutdown.timeout}: in-flight requests get until then, the rest is left
   * uncommitted for the next owner of the partitions (see {@code DeliveryLoop}).
   */
  @Override
  public void close() {
    close(Duration.ZERO);
  }

  /** As {@link #close()}, when {@code alreadyUsed} of the stop's bound went to other components. */
  public void close(Duration alreadyUsed) {
    long started = clock.millis();
    if (loops != null) {
      loops.close(true, alreadyUsed);
    }
    Duration left =
        config.shutdownTimeout().minus(alreadyUsed).minusMillis(clock.millis() - started);
    closeRest(left.isNegative() || left.isZero() ? Duration.ofMillis(200) : left);
  }

  /**
   * Stops as a crash would: in-flight requests are abandoned, buffered records are not flushed, no
   * offset is committed. Whatever was not committed is delivered again by the next owner of the
   * partitions.
   */
  public void halt() {
    if (loops != null) {
      loops.close(false, Duration.ZERO);
    }
    closeRest(Duration.ZERO);
  }

  private void closeRest(Duration producerTimeout) {
    if (producer != null) {
      producer.close(producerTimeout);
    }
    if (sender != null) {
      sender.close();
    }
    if (view != null) {
      view.close();
    }
    if (eventTypes != null) {
      eventTypes.close();
    }
  }

  static Properties producerProperties(KafkaConfig kafka) {
    Properties p = KafkaClients.producer(kafka, "dispatcher-producer");
    // Batches of about a hundred attempt records rather than a few: at 5 ms and 16 KiB the broker's
    // produce handling, the per-batch LZ4 buffers and the readers' fetches cost a third of the
    // whole system's CPU (docs/design.md §12). No delivery waits for these writes; a source record
    // finishes (and commits) up to 20 ms later.
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(128 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        String.valueOf(DeliverySizeLimit.PRODUCER_MAX_REQUEST_BYTES));
    return p;
  }
}
