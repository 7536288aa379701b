package com.flintn.webhooks.admin.notifications;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.kafka.Offsets;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicFollower;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dashboard shows of failure notifications (docs/design.md §4.1), read from {@code
 * webhooks.endpoint-events}: per account its latest notices ({@code endpoint.failing}, automatic
 * {@code endpoint.disabled}, {@code endpoint.recovered}), and per endpoint its warning while it
 * lasts. At start the last {@code backfill} records of each partition, then everything new, read
 * committed. Memory is bounded: at most {@code perAccount} notices for each of at most {@code
 * maxAccounts} accounts and {@code maxAccounts} warnings, the least recently heard of dropped
 * first. Thread safe: guarded by {@code this}.
 */
public final class NotificationLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NotificationLog.class);
  private static final String ATTEMPTS_EXHAUSTED = "attempts_exhausted";

  private final Topic<String, EndpointEvent> topic;
  private final TopicFollower follower;
  private final int perAccount;
  private final Map<AccountId, ArrayDeque<EndpointEvent>> byAccount;
  private final Map<EndpointId, EndpointEvent> warnings;

  public NotificationLog(
      KafkaConfig kafka,
      Topic<String, EndpointEvent> topic,
      int perAccount,
      int maxAccounts,
      long backfill) {
    this.topic = topic;
    this.perAccount = perAccount;
    this.byAccount = bounded(maxAccounts);
    this.warnings = bounded(maxAccounts);
    Properties p = KafkaClients.reader(kafka);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    this.follower =
        new TopicFollower(
            "admin-notifications",
            p,
            topic.name(),
            new TopicFollower.Hooks() {
              @Override
              public void start(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
                Map<TopicPartition, Long> begin = c.beginningOffsets(partitions);
                Map<TopicPartition, Long> end = c.endOffsets(partitions);
                for (TopicPartition tp : partitions) {
                  c.seek(tp, Math.max(Offsets.of(begin, tp), Offsets.of(end, tp) - backfill));
                }
              }

              @Override
              public void record(ConsumerRecord<byte[], byte[]> r) {
                read(r);
              }
            });
  }

  private static <K, V> Map<K, V> bounded(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> e) {
        return size() > max;
      }
    };
  }

  public void start() {
    follower.start();
  }

  /** Whether {@code e} is something the account is told of. */
  static boolean isNotice(EndpointEvent e) {
    return switch (e.type()) {
      case EndpointEvent.FAILING, EndpointEvent.RECOVERED -> true;
      case EndpointEvent.DISABLED -> ATTEMPTS_EXHAUSTED.equals(e.reason());
      default -> false;
    };
  }

  /** Up to {@code limit} notices of {@code account}, newest first. */
  public List<EndpointEvent> recent(AccountId account, int limit) {
    List<EndpointEvent> all;
    synchronized (this) {
      ArrayDeque<EndpointEvent> q = byAccount.get(account);
      all = q == null ? new ArrayList<>() : new ArrayList<>(q);
    }
    all.sort(Comparator.comparing(EndpointEvent::at).reversed());
    return all.subList(0, Math.min(limit, all.size()));
  }

  /** The endpoints of {@code account} that are failing now, with their latest warning. */
  public synchronized List<EndpointEvent> failing(AccountId account) {
    return warnings.values().stream().filter(e -> account.equals(e.accountId())).toList();
  }

  /** Takes in one status event: a notice is kept; any status change ends a warning. */
  synchronized void add(EndpointEvent e) {
    if (e.accountId() == null) {
      return;
    }
    switch (e.type()) {
      case EndpointEvent.FAILING -> warnings.put(e.endpointId(), e);
      case EndpointEvent.RECOVERED,
          EndpointEvent.DISABLED,
          EndpointEvent.REACTIVATED,
          EndpointEvent.REVOKED,
          EndpointEvent.DELETED ->
          warnings.remove(e.endpointId());
      default -> {}
    }
    if (!isNotice(e)) {
      return;
    }
    ArrayDeque<EndpointEvent> q =
        byAccount.computeIfAbsent(e.accountId(), k -> new ArrayDeque<>(perAccount));
    if (q.size() == perAccount) {
      q.removeFirst();
    }
    q.addLast(e);
  }

  private void read(ConsumerRecord<byte[], byte[]> r) {
    EndpointEvent e;
    try {
      e = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException ex) {
      log.warn("skipping unreadable endpoint event at {}@{}", r.partition(), r.offset());
      return;
    }
    if (e != null) {
      add(e);
    }
  }

  @Override
  public void close() {
    follower.close();
  }
}
