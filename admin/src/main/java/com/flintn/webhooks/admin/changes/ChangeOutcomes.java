package com.flintn.webhooks.admin.changes;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicFollower;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
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
  private final TopicFollower follower;
  private final Map<String, CompletableFuture<EndpointEvent>> waiting = new ConcurrentHashMap<>();

  ChangeOutcomes(KafkaConfig kafka, Topic<String, EndpointEvent> topic) {
    this.topic = topic;
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
    this.follower =
        new TopicFollower(
            "admin-change-outcomes",
            p,
            topic.name(),
            new TopicFollower.Hooks() {
              @Override
              public void start(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
                c.seekToEnd(partitions);
                partitions.forEach(c::position); // resolve now, before answering ready
              }

              @Override
              public void record(ConsumerRecord<byte[], byte[]> r) {
                complete(r);
              }
            });
  }

  void start() {
    follower.start();
  }

  /** Waits until the watcher reads from a known position, so no answer sent later is missed. */
  boolean awaitReady(Duration timeout) throws InterruptedException {
    return follower.awaitReady(timeout);
  }

  /** Registers interest in the answer to {@code changeId}; call before sending the change. */
  @SuppressWarnings("FutureReturnValueIgnored") // a clean-up only: the caller waits on f itself
  CompletableFuture<EndpointEvent> expect(String changeId) {
    CompletableFuture<EndpointEvent> f = new CompletableFuture<>();
    waiting.put(changeId, f);
    f.whenComplete((e, t) -> waiting.remove(changeId, f));
    return f;
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
    follower.close();
  }
}
