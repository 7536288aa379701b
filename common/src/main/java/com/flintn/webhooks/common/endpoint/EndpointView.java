package com.flintn.webhooks.common.endpoint;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.topic.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
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
 * An in-memory copy of the compacted {@code webhooks.endpoints} table, read from the beginning of
 * every partition and kept current by one background thread. Reads are lock-free and thread safe. A
 * record that cannot be read is logged and skipped; it never stops the view.
 *
 * <p>The table is written in Kafka transactions by the endpoint-state app, so the view reads only
 * committed records: an aborted write is never acted on. {@link #awaitReached} lets a caller that
 * knows the table's end offsets wait until the view has read that far (read-your-writes).
 */
public final class EndpointView implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EndpointView.class);

  private final Topic<String, Endpoint> topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<EndpointId, Endpoint> byId = new ConcurrentHashMap<>();
  private final Map<AccountId, Map<EndpointId, Endpoint>> byAccount = new ConcurrentHashMap<>();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;

  /** The next offset to read per partition, published after every poll; guarded by itself. */
  private final Map<TopicPartition, Long> positions = new HashMap<>();

  public EndpointView(String bootstrapServers, Topic<String, Endpoint> topic) {
    this.topic = topic;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "endpoint-view-" + topic.name());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = Thread.ofPlatform().name("endpoint-view").daemon().unstarted(this::run);
  }

  public void start() {
    thread.start();
  }

  /** Waits until every record that existed at start has been read. */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether every record that existed at start has been read. */
  public boolean isCaughtUp() {
    return caughtUp.getCount() == 0;
  }

  public Optional<Endpoint> get(EndpointId id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Every endpoint of {@code account} subscribed to {@code eventType}, in any status. */
  public List<Endpoint> subscribers(AccountId account, String eventType) {
    Map<EndpointId, Endpoint> of = byAccount.get(account);
    if (of == null) {
      return List.of();
    }
    return of.values().stream().filter(e -> e.subscribesTo(eventType)).toList();
  }

  /** Every endpoint of {@code account}, in any status. */
  public List<Endpoint> ofAccount(AccountId account) {
    Map<EndpointId, Endpoint> of = byAccount.get(account);
    return of == null ? List.of() : List.copyOf(of.values());
  }

  /**
   * Waits until the view has read every partition up to {@code offsets} (end offsets taken from the
   * table, for example), so that whatever was committed before them is visible here.
   *
   * @return false if {@code timeout} passed first
   */
  public boolean awaitReached(Map<TopicPartition, Long> offsets, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (positions) {
      while (!reached(offsets)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(positions, left);
      }
      return true;
    }
  }

  private boolean reached(Map<TopicPartition, Long> offsets) {
    for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
      Long at = positions.get(e.getKey());
      if (at == null || at < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  public int size() {
    return byId.size();
  }

  private void run() {
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name(), Duration.ofSeconds(60)).stream()
              .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
      while (running) {
        try {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            apply(r);
          }
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          log.error("endpoint view poll failed, retrying: {}", e.toString());
          Thread.sleep(1000);
          continue;
        }
        publishPositions(partitions);
        if (caughtUp.getCount() > 0) {
          end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
          if (end.isEmpty()) {
            caughtUp.countDown();
          }
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("endpoint view could not start: {}", e.toString());
    } finally {
      consumer.close();
    }
  }

  private void publishPositions(List<TopicPartition> partitions) {
    Map<TopicPartition, Long> now = new HashMap<>();
    for (TopicPartition tp : partitions) {
      now.put(tp, consumer.position(tp));
    }
    synchronized (positions) {
      positions.putAll(now);
      positions.notifyAll();
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> r) {
    String key;
    Endpoint endpoint;
    try {
      key = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
      endpoint = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      log.warn(
          "skipping unreadable endpoint record {}-{}@{}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
      return;
    }
    if (key == null) {
      return;
    }
    EndpointId id;
    try {
      id = EndpointId.of(key);
    } catch (IllegalArgumentException e) {
      log.warn("skipping endpoint record with a bad key at {}@{}", r.partition(), r.offset());
      return;
    }
    Endpoint old = endpoint == null ? byId.remove(id) : byId.put(id, endpoint);
    if (old != null) {
      Map<EndpointId, Endpoint> of = byAccount.get(old.accountId());
      if (of != null) {
        of.remove(id);
      }
    }
    if (endpoint != null) {
      byAccount
          .computeIfAbsent(endpoint.accountId(), a -> new ConcurrentHashMap<>())
          .put(id, endpoint);
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
