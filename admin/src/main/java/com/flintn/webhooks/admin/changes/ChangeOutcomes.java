package com.flintn.webhooks.admin.changes;

import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.topic.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code webhooks.endpoint-events} for the answers to changes this process sent: the
 * endpoint-state app answers an applied change with its status event and a refused one with {@code
 * endpoint.change_rejected}, both carrying the change id. Reads only committed events, from the end
 * of the topic as it was at start. One background thread; {@link #expect} is thread safe.
 */
final class ChangeOutcomes implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeOutcomes.class);

  private final Topic<String, EndpointEvent> topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, CompletableFuture<EndpointEvent>> waiting = new ConcurrentHashMap<>();
  private final CountDownLatch ready = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;

  ChangeOutcomes(String bootstrapServers, Topic<String, EndpointEvent> topic) {
    this.topic = topic;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "admin-change-outcomes");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = Thread.ofPlatform().name("admin-change-outcomes").daemon().unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  /** Waits until the watcher reads from a known position, so no answer sent later is missed. */
  boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Registers interest in the answer to {@code changeId}; call before sending the change. */
  CompletableFuture<EndpointEvent> expect(String changeId) {
    CompletableFuture<EndpointEvent> f = new CompletableFuture<>();
    waiting.put(changeId, f);
    f.whenComplete((e, t) -> waiting.remove(changeId, f));
    return f;
  }

  private void run() {
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name(), Duration.ofSeconds(60)).stream()
              .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // resolve the positions now, before answering ready
      ready.countDown();
      while (running) {
        try {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            complete(r);
          }
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          log.error("endpoint events poll failed, retrying: {}", e.toString());
          Thread.sleep(1000);
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("endpoint events watcher could not start: {}", e.toString());
    } finally {
      consumer.close();
    }
  }

  private void complete(ConsumerRecord<byte[], byte[]> r) {
    if (waiting.isEmpty()) {
      return;
    }
    EndpointEvent e;
    try {
      e = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException ex) {
      log.warn("skipping unreadable endpoint event at {}@{}", r.partition(), r.offset());
      return;
    }
    if (e != null && e.changeId() != null) {
      CompletableFuture<EndpointEvent> f = waiting.get(e.changeId());
      if (f != null) {
        f.complete(e);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
