package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.dispatcher.dedup.EventDedup;
import com.flintn.webhooks.dispatcher.http.WebhookSender;
import com.flintn.webhooks.dispatcher.record.DeliveryMetrics;
import com.flintn.webhooks.dispatcher.record.DeliverySizeLimit;
import com.flintn.webhooks.dispatcher.record.EventSchemas;
import com.flintn.webhooks.dispatcher.record.InvalidRecordWriter;
import com.flintn.webhooks.dispatcher.record.KafkaWriter;
import com.flintn.webhooks.dispatcher.record.OutcomeRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the poll loop to its handler, workers and consumer; owns their threads. */
public final class DeliveryLoops {
  private static final Logger log = LoggerFactory.getLogger(DeliveryLoops.class);
  private final DeliveryLoop loop;
  private final RecordHandler handler;
  private final KafkaWriter writer;
  private final ExecutorService workers;
  private final Admin admin;
  private final Thread thread;
  private final Duration shutdownTimeout;
  private final EndpointLimits limits;

  public DeliveryLoops(
      FlintnConfig config,
      TopicCatalog topics,
      String groupId,
      EndpointView view,
      WebhookSender sender,
      Producer<byte[], byte[]> producer,
      Clock clock,
      DeliveryMetrics metrics,
      Optional<EventSchemas> schemas) {
    this.workers =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("delivery-", 0).factory());
    this.writer = new KafkaWriter(producer);
    this.admin = Admin.create(adminProperties(config.kafka(), groupId));
    this.shutdownTimeout = config.shutdownTimeout();
    DeliverySizeLimit sizeLimit;
    int seenPartitions;
    try {
      sizeLimit = sizeLimit(admin, topics);
      sizeLimit.requireRoomFor(config.dispatcher().maxEventBytes());
      seenPartitions =
          config.dispatcher().dedupWindow().isZero() ? 0 : seenPartitions(admin, topics);
    } catch (RuntimeException e) {
      admin.close(Duration.ofSeconds(1));
      workers.shutdownNow();
      throw e;
    }
    this.limits =
        new EndpointLimits(
            config.http().maxInFlightPerEndpoint(),
            config.dispatcher().maxQueuedPerEndpoint(),
            config.http().maxInFlightPerHost(),
            // An endpoint holds at most a quarter of a partition's window; the rest is for others.
            config.dispatcher().maxInFlightPerPartition() / 4,
            config.dispatcher().maxHold(),
            clock);
    this.handler =
        new RecordHandler(
            topics.events().name(),
            topics.deliveriesDue(),
            topics.overflow().name(),
            new EventParser(config.dispatcher().maxEventBytes()),
            sizeLimit,
            view,
            sender,
            new OutcomeRecorder(writer, topics, clock, metrics),
            new InvalidRecordWriter(writer, topics.eventsInvalid(), metrics),
            limits,
            workers,
            clock,
            new ViewSync(view, admin, Duration.ofSeconds(2), clock),
            schemas,
            new EventDedup(
                config.kafka(),
                topics.events().name(),
                topics.eventsSeen().name(),
                seenPartitions,
                config.dispatcher().dedupWindow(),
                config.dispatcher().dedupMaxIds(),
                writer,
                clock,
                metrics));
    int window = config.dispatcher().maxInFlightPerPartition();
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerProperties(config.kafka(), groupId, window),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.loop =
        new DeliveryLoop(
            consumer,
            List.of(
                topics.events().name(), topics.deliveriesDue().name(), topics.overflow().name()),
            topics.overflow().name(),
            handler,
            limits,
            window,
            config.http().timeout().plusSeconds(5),
            clock);
    this.thread = Thread.ofPlatform().name("dispatcher-poll").unstarted(loop);
  }

  public void start() {
    thread.start();
  }

  /** Records not yet read on the assigned partitions. */
  public long lag() {
    return loop.lag();
  }

  /** Deliveries waiting now for their endpoint's rate limit (docs/design.md §6.6). */
  public int rateLimitWaiting() {
    return limits.pacedWaiting();
  }

  /** Deliveries that had to wait for their endpoint's rate limit, since start. */
  public long rateLimitPaced() {
    return limits.paced();
  }

  /** Deliveries of rate-limited endpoints moved from a main lane to the overflow lane. */
  public long rateLimitMoved() {
    return limits.movedForRate();
  }

  public int assignedPartitions() {
    return loop.assignedPartitions();
  }

  /** Deliveries in the overflow lane on the assigned partitions, unread or unfinished. */
  public long overflowBacklog() {
    return loop.overflowBacklog();
  }

  /**
   * What stopped partitions, one line each, when work failed in a way retrying cannot fix; empty
   * when none did.
   */
  public List<String> stoppedPartitions() {
    return loop.stoppedPartitions().values().stream().map(Object::toString).sorted().toList();
  }

  /** Whether the poll loop is still running. */
  public boolean isRunning() {
    return thread.isAlive();
  }

  /**
   * Stops; {@code graceful} gives in-flight work until {@code shutdown.timeout} (less what {@code
   * alreadyUsed} of it went elsewhere) and commits what finished; otherwise nothing is committed.
   */
  public void close(boolean graceful, Duration alreadyUsed) {
    Duration bound = graceful ? shutdownTimeout.minus(alreadyUsed) : Duration.ZERO;
    if (bound.isNegative()) {
      bound = Duration.ZERO;
    }
    loop.stop(graceful, bound); // first: a crash commits nothing from here on
    if (!graceful) {
      writer.close();
      handler.cutOff();
      workers.shutdownNow();
    }
    try {
      thread.join(bound.plusSeconds(2).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.close();
    handler.cutOff(); // what the interrupt below ends is abandoned, not recorded as failed
    workers.shutdownNow(); // abandoned requests are cut off; their records were not committed
    limits.close();
    admin.close(Duration.ofSeconds(1));
  }

  /**
   * The size limit of the topics deliveries are written to. If the broker cannot tell now, the
   * producer's own limit stands in, and a write that still fails stops its partition (see {@link
   * DeliveryLoop}).
   */
  private static DeliverySizeLimit sizeLimit(Admin admin, TopicCatalog topics) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < topics.tiers().size(); i++) {
      names.add(topics.retryTier(i).name());
    }
    names.add(topics.deliveriesDue().name());
    names.add(topics.overflow().name());
    names.add(topics.dlq().name());
    try {
      return DeliverySizeLimit.read(admin, names, Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DeliverySizeLimit.producerOnly();
    } catch (ExecutionException | TimeoutException e) {
      log.warn(
          "could not read max.message.bytes of the delivery topics ({}); checking event sizes"
              + " against the producer's limit only",
          e.toString());
      return DeliverySizeLimit.producerOnly();
    }
  }

  /**
   * The partition count of the seen-ids topic, which must have a partition for each of the events
   * topic's: de-duplication of events partition p keeps its ids in partition p.
   *
   * @throws IllegalStateException naming the topic and what to do when it is missing or smaller
   */
  private static int seenPartitions(Admin admin, TopicCatalog topics) {
    String events = topics.events().name();
    String seen = topics.eventsSeen().name();
    Map<String, TopicDescription> d;
    try {
      d = admin.describeTopics(List.of(events, seen)).allTopicNames().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading " + seen, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(
          "cannot read the topics "
              + events
              + " and "
              + seen
              + " ("
              + cause.getMessage()
              + "); if "
              + seen
              + " is missing, run topics create, or set "
              + ConfigKey.EVENTS_DEDUP_WINDOW.key()
              + "=0 to deliver repeated events",
          e);
    }
    int eventsCount = Objects.requireNonNull(d.get(events), events).partitions().size();
    int seenCount = Objects.requireNonNull(d.get(seen), seen).partitions().size();
    if (seenCount < eventsCount) {
      throw new IllegalStateException(
          seen
              + " has "
              + seenCount
              + " partitions, "
              + events
              + " has "
              + eventsCount
              + ": give "
              + seen
              + " as many (kafka-topics --alter --partitions "
              + eventsCount
              + "), or set "
              + ConfigKey.EVENTS_DEDUP_WINDOW.key()
              + "=0");
    }
    return seenCount;
  }

  static Properties adminProperties(KafkaConfig kafka, String groupId) {
    return KafkaClients.admin(kafka, groupId + "-view-sync");
  }

  /** The longest a broker holds the dispatcher's fetch when there is nothing to return. */
  static final int FETCH_MAX_WAIT_MS = 50;

  static Properties consumerProperties(KafkaConfig kafka, String groupId, int window) {
    Properties p = KafkaClients.consumer(kafka, groupId);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(Math.min(window, 500)));
    // The consumer sends a broker no fetch while one is outstanding there. With every busy
    // partition paused for its window, the fetch covers only idle ones, and the broker holds it
    // for this long: a partition resumed meanwhile waits for it. Half a window lasts longer.
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, String.valueOf(FETCH_MAX_WAIT_MS));
    // Incremental rebalancing: when a dispatcher joins or leaves, only the partitions that move
    // are revoked. With the eager default every member gave up every partition, re-read it from
    // its committed offset while its own earlier requests were still in flight, and so sent its
    // whole in-flight window a second time at every change of membership (measured: most
    // deliveries twice under load in the scale-out fault test).
    p.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    return p;
  }
}
