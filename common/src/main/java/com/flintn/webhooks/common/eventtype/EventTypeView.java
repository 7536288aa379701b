package com.flintn.webhooks.common.eventtype;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.EventType;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicFollower;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory copy of the compacted event-type catalogue ({@code webhooks.event-types}), read from
 * the beginning of every partition and kept current by one background thread, as {@link
 * com.flintn.webhooks.common.endpoint.EndpointView} is for endpoints. One entry per type; a
 * tombstone removes it. Reads are lock-free and thread safe; an unreadable record is logged and
 * skipped (the type it was about keeps its previous value).
 */
public final class EventTypeView implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventTypeView.class);

  private final Topic<String, EventType> topic;
  private final TopicFollower follower;
  private final NavigableMap<String, EventType> byName = new ConcurrentSkipListMap<>();
  private final CountDownLatch caughtUp = new CountDownLatch(1);

  /** End offsets at start, not yet reached; follower thread only. */
  private Map<TopicPartition, Long> startEnd = new HashMap<>();

  public EventTypeView(KafkaConfig kafka, Topic<String, EventType> topic) {
    this.topic = topic;
    this.follower =
        new TopicFollower(
            "event-type-view-" + topic.name(),
            KafkaClients.reader(kafka),
            topic.name(),
            new TopicFollower.Hooks() {
              @Override
              public void start(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
                c.seekToBeginning(partitions);
                startEnd = new HashMap<>(c.endOffsets(partitions));
              }

              @Override
              public void record(ConsumerRecord<byte[], byte[]> r) {
                apply(r);
              }

              @Override
              public void afterPoll(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
                if (caughtUp.getCount() > 0) {
                  startEnd.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
                  if (startEnd.isEmpty()) {
                    caughtUp.countDown();
                  }
                }
              }
            });
  }

  public void start() {
    follower.start();
  }

  /** Waits until every record that existed at start has been read. */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the catalogue is loaded and still being read (a poll within 30 s). */
  public boolean isHealthy() {
    return caughtUp.getCount() == 0 && follower.isReading(Duration.ofSeconds(30));
  }

  /** Every type in the catalogue, by name. */
  public List<EventType> all() {
    return List.copyOf(byName.values());
  }

  /** The names of every type in the catalogue, sorted. */
  public Set<String> names() {
    return Set.copyOf(byName.keySet());
  }

  public Optional<EventType> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Whether no type is registered (a fresh install): subscriptions are then not checked. */
  public boolean isEmpty() {
    return byName.isEmpty();
  }

  public int size() {
    return byName.size();
  }

  private void apply(ConsumerRecord<byte[], byte[]> r) {
    String key;
    EventType value;
    try {
      key = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
      value = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      log.warn(
          "skipping unreadable event-type record {}-{}@{}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
      return;
    }
    if (key == null) {
      return;
    }
    if (value == null) {
      byName.remove(key);
    } else if (!value.name().equals(key)) {
      log.warn(
          "skipping event-type record {}-{}@{}: key {} names another type ({})",
          r.topic(),
          r.partition(),
          r.offset(),
          key,
          value.name());
    } else {
      byName.put(key, value);
    }
  }

  @Override
  public void close() {
    follower.close();
  }
}
