package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.topic.KafkaClients;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.dispatcher.http.WebhookSender;
import com.flintn.webhooks.dispatcher.record.DeliveryMetrics;
import com.flintn.webhooks.dispatcher.record.InvalidRecordWriter;
import com.flintn.webhooks.dispatcher.record.KafkaWriter;
import com.flintn.webhooks.dispatcher.record.OutcomeRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Wires the poll loop to its handler, workers and consumer; owns their threads. */
public final class DeliveryLoops {
  private final DeliveryLoop loop;
  private final KafkaWriter writer;
  private final ExecutorService workers;
  private final Admin admin;
  private final Thread thread;

  public DeliveryLoops(
      FlintnConfig config,
      TopicCatalog topics,
      String groupId,
      EndpointView view,
      WebhookSender sender,
      Producer<byte[], byte[]> producer,
      Clock clock,
      DeliveryMetrics metrics) {
    this.workers =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("delivery-", 0).factory());
    this.writer = new KafkaWriter(producer);
    this.admin = Admin.create(adminProperties(config.kafka().bootstrapServers(), groupId));
    RecordHandler handler =
        new RecordHandler(
            topics.events().name(),
            topics.deliveriesDue(),
            new EventParser(config.dispatcher().maxEventBytes()),
            view,
            sender,
            new OutcomeRecorder(writer, topics, clock, metrics),
            new InvalidRecordWriter(writer, topics.eventsInvalid(), metrics),
            new EndpointLimits(
                config.http().maxInFlightPerEndpoint(), config.dispatcher().maxQueuedPerEndpoint()),
            workers,
            clock,
            new ViewSync(view, admin, Duration.ofSeconds(2)));
    int window = config.dispatcher().maxInFlightPerPartition();
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerProperties(config.kafka().bootstrapServers(), groupId, window),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.loop =
        new DeliveryLoop(
            consumer,
            List.of(topics.events().name(), topics.deliveriesDue().name()),
            handler,
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

  public int assignedPartitions() {
    return loop.assignedPartitions();
  }

  /** Whether the poll loop is still running. */
  public boolean isRunning() {
    return thread.isAlive();
  }

  /**
   * Stops; {@code graceful} finishes in-flight work and commits, otherwise nothing is committed.
   */
  public void close(boolean graceful) {
    loop.stop(graceful); // first: a crash commits nothing from here on
    if (!graceful) {
      writer.close();
      workers.shutdownNow();
    }
    try {
      thread.join(Duration.ofSeconds(60).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.close();
    workers.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }

  static Properties adminProperties(String bootstrap, String groupId) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, groupId + "-view-sync");
    return p;
  }

  static Properties consumerProperties(String bootstrap, String groupId, int window) {
    Properties p = KafkaClients.consumer(bootstrap, groupId);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(Math.min(window, 500)));
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
