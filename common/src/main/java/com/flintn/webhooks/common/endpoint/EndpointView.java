package com.flintn.webhooks.common.endpoint;

import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.Printable;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicFollower;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory copy of the compacted {@code webhooks.endpoints} table, read from the beginning of
 * every partition and kept current by one background thread. Reads are lock-free and thread safe. A
 * record that cannot be read is logged and skipped; it never stops the view. The exception is a
 * record whose signing secret the configured keyring cannot open (docs/design.md §8.1): skipping it
 * would make its endpoint look deleted, so the view remembers it until a readable record or a
 * tombstone replaces it, and reports it as {@link #keyProblem()} (the view is not healthy
 * meanwhile). The endpoint's previous value, if any, stays.
 *
 * <p>The table is written in Kafka transactions by the endpoint-state app, so the view reads only
 * committed records: an aborted write is never acted on. {@link #awaitReached} lets a caller that
 * knows the table's end offsets wait until the view has read that far (read-your-writes).
 */
public final class EndpointView implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EndpointView.class);

  private final Topic<String, Endpoint> topic;
  private final TopicFollower follower;
  private final Map<EndpointId, Endpoint> byId = new ConcurrentHashMap<>();
  private final Map<AccountId, Map<EndpointId, Endpoint>> byAccount = new ConcurrentHashMap<>();
  private final CountDownLatch caughtUp = new CountDownLatch(1);

  /** Counted down once caught up, or once the follower could not start. */
  private final CountDownLatch settled = new CountDownLatch(1);

  private volatile @Nullable RuntimeException startFailure;

  /** Keys of the records whose secrets the keyring cannot open, with why. */
  private final ConcurrentSkipListMap<String, SecretCipher.Undecryptable> undecryptable =
      new ConcurrentSkipListMap<>();

  private volatile List<TopicPartition> partitions = List.of();

  /** The next offset to read per partition, published after every poll; guarded by itself. */
  private final Map<TopicPartition, Long> positions = new HashMap<>();

  /** See {@link #syncsThatWaited}; guarded by {@link #positions}. */
  private long syncsThatWaited;

  /** End offsets at start, not yet reached; follower thread only. */
  private Map<TopicPartition, Long> startEnd = new HashMap<>();

  public EndpointView(KafkaConfig kafka, Topic<String, Endpoint> topic) {
    this.topic = topic;
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.follower =
        new TopicFollower(
            "endpoint-view-" + topic.name(),
            p,
            topic.name(),
            new TopicFollower.Hooks() {
              @Override
              public void start(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
                EndpointView.this.partitions = List.copyOf(partitions);
                c.seekToBeginning(partitions);
                startEnd = new HashMap<>(c.endOffsets(partitions));
              }

              @Override
              public void record(ConsumerRecord<byte[], byte[]> r) {
                awaitHold();
                apply(r);
              }

              @Override
              public void afterPoll(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
                publishPositions(c, partitions);
              }

              @Override
              public void failed(RuntimeException cause) {
                startFailure = cause;
                settled.countDown();
              }
            });
  }

  public void start() {
    follower.start();
  }

  /** Records read while it is closed wait before they are applied; open unless a test holds it. */
  private volatile CountDownLatch hold = new CountDownLatch(0);

  /**
   * Holds the view behind its table: records read from now on are applied only once the returned
   * hold is closed. A seam for tests of a view that lags, which it otherwise does only for the
   * milliseconds between a record's commit and its read.
   */
  public Hold holdChanges() {
    CountDownLatch h = new CountDownLatch(1);
    hold = h;
    return h::countDown;
  }

  /** What {@link #holdChanges} returns; closing it lets the view go on. */
  @FunctionalInterface
  public interface Hold extends AutoCloseable {
    @Override
    void close();
  }

  private void awaitHold() {
    try {
      hold.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing: apply and stop
    }
  }

  /**
   * Waits until every record that existed at start has been read; false after {@code timeout}, or
   * at once if the view could not start reading ({@link #notCaughtUp(Duration)} says why).
   */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return caughtUp.getCount() == 0;
  }

  /**
   * Why {@link #awaitCaughtUp(Duration)} returned false after waiting {@code timeout}, to follow
   * "could not read the table" in a message: {@code ": "} and why the view could not start reading
   * (a refused login, say), or {@code " within <timeout>"}.
   */
  public String notCaughtUp(Duration timeout) {
    RuntimeException e = startFailure;
    return e != null ? ": " + Printable.message(e) : " within " + timeout.toSeconds() + " s";
  }

  /**
   * Whether the view has loaded the table, is still reading it (a poll within 30 s), and can read
   * every endpoint in it (no {@link #keyProblem()}).
   */
  public boolean isHealthy() {
    return isCaughtUp() && follower.isReading(Duration.ofSeconds(30)) && undecryptable.isEmpty();
  }

  /**
   * Why the view is not healthy, in one line for a health check; empty when it is.
   *
   * @see #isHealthy()
   */
  public Optional<String> problem() {
    Optional<ConfigException> key = keyProblem();
    if (key.isPresent()) {
      return Optional.of(Printable.message(key.get()));
    }
    return isHealthy()
        ? Optional.empty()
        : Optional.of("the endpoints table is not loaded or not being read");
  }

  /**
   * Endpoint records the view holds whose secrets the configured keyring cannot open (a missing or
   * different key, or plain text while {@code secrets.allow-plaintext} is off), as the error a
   * process reports for them, naming the key that fixes the first: at start it refuses to run,
   * later its health goes down. Empty when every record could be read.
   */
  public Optional<ConfigException> keyProblem() {
    if (undecryptable.isEmpty()) {
      return Optional.empty();
    }
    int n = undecryptable.size();
    Map.Entry<String, SecretCipher.Undecryptable> first = undecryptable.firstEntry();
    if (first == null) {
      return Optional.empty(); // replaced meanwhile
    }
    SecretCipher.Undecryptable why = first.getValue();
    return Optional.of(new ConfigException(why.configKey(), why.problem(n, first.getKey())));
  }

  /** Whether the record of {@code id} is one this view cannot decrypt (see {@link #keyProblem}). */
  public boolean isUndecryptable(EndpointId id) {
    return undecryptable.containsKey(id.value());
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
    // A plain loop: this runs for every event the dispatcher reads.
    List<Endpoint> out = null;
    for (Endpoint e : of.values()) {
      if (e.subscribesTo(eventType)) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(e);
      }
    }
    return out == null ? List.of() : out;
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

  /**
   * Waits until the view has read everything committed to the table before this call: the table's
   * committed end offsets are asked of the broker through {@code admin}, then awaited. A reader
   * that calls this after learning of something (an event, a request) sees every endpoint change
   * committed before it, even one this view had not received yet.
   *
   * @throws TimeoutException if the offsets did not come or the view did not reach them within
   *     {@code bound}
   * @throws ExecutionException if the broker refused the offsets request
   */
  public void sync(Admin admin, Duration bound)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + bound.toNanos();
    if (!caughtUp.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new TimeoutException("the endpoints table is not loaded yet");
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartition tp : partitions) {
      latest.put(tp, OffsetSpec.latest());
    }
    Map<TopicPartition, Long> end = new HashMap<>();
    admin
        .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .all()
        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
        .forEach((tp, info) -> end.put(tp, info.offset()));
    synchronized (positions) {
      if (!reached(end)) {
        syncsThatWaited++;
      }
    }
    if (!awaitReached(end, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
      throw new TimeoutException("the endpoint view did not catch up within " + bound);
    }
  }

  /**
   * How many {@link #sync} calls found the view behind the table's end and had to wait for it: what
   * a test of a lagging view ({@link #holdChanges}) waits for to know that a sync met the lag.
   */
  public long syncsThatWaited() {
    synchronized (positions) {
      return syncsThatWaited;
    }
  }

  /**
   * Waits until what the view holds for {@code id} satisfies {@code condition} (checked after every
   * poll), for a writer that knows what its change must look like once read.
   *
   * @return false if {@code timeout} passed first
   */
  public boolean awaitEndpoint(
      EndpointId id, Predicate<Optional<Endpoint>> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (positions) {
      while (!condition.test(get(id))) {
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

  /** How many endpoints are in {@code status}. */
  public long count(EndpointStatus status) {
    return byId.values().stream().filter(e -> e.status() == status).count();
  }

  public int size() {
    return byId.size();
  }

  private void publishPositions(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
    Map<TopicPartition, Long> now = new HashMap<>();
    for (TopicPartition tp : partitions) {
      now.put(tp, c.position(tp));
    }
    synchronized (positions) {
      positions.putAll(now);
      positions.notifyAll();
    }
    if (caughtUp.getCount() > 0) {
      startEnd.entrySet().removeIf(e -> now.getOrDefault(e.getKey(), -1L) >= e.getValue());
      if (startEnd.isEmpty()) {
        caughtUp.countDown();
        settled.countDown();
      }
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> r) {
    String key = null;
    Endpoint endpoint;
    try {
      key = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
      endpoint = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      SecretCipher.Undecryptable why = SecretCipher.Undecryptable.find(e);
      if (key != null && why != null) {
        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
        if (undecryptable.put(key, why) == null && isCaughtUp()) {
          log.error(
              "endpoint {} ({}) cannot be read: {} ({}). The endpoint is not acted on until this"
                  + " is fixed",
              key,
              where,
              why.getMessage(),
              why.configKey());
        }
        return;
      }
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
    undecryptable.remove(key); // replaced by a readable record or deleted
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
    follower.close();
  }
}
