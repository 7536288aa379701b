package com.flintn.webhooks.dispatcher.consume;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * Which events a past sync of the endpoint view already covers ({@link ViewSync}). A sync reads the
 * endpoints table's committed end after the consumer saw each events partition's end; an event
 * below that end was in the log before the sync began, so every endpoint committed before the event
 * was produced is in the view since. A batch made only of such events needs no sync of its own:
 * under a backlog one sync covers everything that was in the log when it began, where a sync per
 * batch cost a broker round trip on the poll thread for every poll. A batch with any event beyond
 * is synced as before, so an event produced after an endpoint was created still finds it. Poll
 * thread only.
 */
final class SyncedEvents {
  /** Per events partition: every offset below this was in the log before a successful sync. */
  private final Map<TopicPartition, Long> coveredBelow = new HashMap<>();

  /** Whether every record of {@code partitions} in {@code records} is covered. */
  boolean covers(ConsumerRecords<byte[], byte[]> records, Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
      if (rs.isEmpty()) {
        continue;
      }
      Long below = coveredBelow.get(tp);
      if (below == null || rs.getLast().offset() >= below) {
        return false;
      }
    }
    return true;
  }

  /**
   * A sync succeeded that began after the consumer had seen {@code endsBefore} (each partition's
   * log end as its last fetch saw it).
   */
  void synced(Map<TopicPartition, Long> endsBefore) {
    endsBefore.forEach((tp, end) -> coveredBelow.merge(tp, end, Math::max));
  }

  /**
   * Forgets {@code partitions}: what is covered is a fact about their logs, but a log can be
   * deleted and made again while its partitions are elsewhere, its offsets starting over.
   */
  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(coveredBelow::remove);
  }
}
