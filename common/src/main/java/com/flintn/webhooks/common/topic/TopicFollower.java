package com.flintn.webhooks.common.topic;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every partition of one topic on a background thread, outside any consumer group: the
 * in-memory views of the processes (endpoints table, attempt log, change answers) are built on it.
 * A failed poll is logged and retried; it never stops the follower. {@link #close()} stops it and
 * closes the consumer. The hooks run on the follower's thread only.
 */
public final class TopicFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);

  /** What a follower does with its topic; called on the follower's thread. */
  public interface Hooks {
    /** Positions the consumer on {@code partitions} (all of the topic's) before reading. */
    void start(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions);

    /** One record. Must not throw for a bad record: skip it. */
    void record(ConsumerRecord<byte[], byte[]> record);

    /** After every poll, for progress the owner publishes. */
    default void afterPoll(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {}

    /**
     * The follower could not start and reads nothing (the broker refused its credentials, the topic
     * has no partitions within 60 s): the owner's waiters need not wait any longer.
     */
    default void failed(RuntimeException cause) {}
  }

  private final String topic;
  private final Hooks hooks;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean started;
  private volatile long lastPollNanos = System.nanoTime();

  /**
   * @param properties consumer settings; auto commit is turned off here
   */
  public TopicFollower(String name, Properties properties, String topic, Hooks hooks) {
    this.topic = topic;
    this.hooks = hooks;
    Properties p = new Properties();
    p.putAll(properties);
    p.put("enable.auto.commit", "false");
    p.putIfAbsent("client.id", name);
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
  }

  public void start() {
    started = true;
    thread.start();
  }

  /** Whether the follower is reading: its thread runs and a poll completed within {@code max}. */
  public boolean isReading(Duration max) {
    return thread.isAlive() && System.nanoTime() - lastPollNanos < max.toNanos();
  }

  /** Waits until the follower is positioned and reading. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
              .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
              .toList();
      consumer.assign(partitions);
      hooks.start(consumer, partitions);
      ready.countDown();
      while (running) {
        try {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            hooks.record(r);
          }
          hooks.afterPoll(consumer, partitions);
          lastPollNanos = System.nanoTime();
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          log.error("reading {} failed, retrying: {}", topic, e.toString());
          Thread.sleep(1000);
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("could not start reading {}: {}", topic, e.toString());
      hooks.failed(e);
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    running = false;
    if (!started) {
      consumer.close(); // never started: no thread owns it
      return;
    }
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
