package com.flintn.webhooks.dispatcher.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SyncedEventsTest {
  private static final TopicPartition P0 = new TopicPartition("events", 0);
  private static final TopicPartition P1 = new TopicPartition("events", 1);

  /** A batch with {@code offsets[i]} on partition i. */
  private static ConsumerRecords<byte[], byte[]> batch(Map<TopicPartition, long[]> offsets) {
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> m = new HashMap<>();
    offsets.forEach(
        (tp, os) -> {
          List<ConsumerRecord<byte[], byte[]>> rs = new ArrayList<>();
          for (long o : os) {
            rs.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[0], new byte[0]));
          }
          m.put(tp, rs);
        });
    return new ConsumerRecords<>(m, Map.of());
  }

  @Test
  void nothingIsCoveredBeforeASync() {
    SyncedEvents s = new SyncedEvents();
    assertThat(s.covers(batch(Map.of(P0, new long[] {0})), List.of(P0))).isFalse();
  }

  @Test
  void eventsBelowTheEndSeenBeforeASyncAreCoveredAndTheFirstBeyondIsNot() {
    SyncedEvents s = new SyncedEvents();
    s.synced(Map.of(P0, 100L));
    assertThat(s.covers(batch(Map.of(P0, new long[] {10, 99})), List.of(P0))).isTrue();
    assertThat(s.covers(batch(Map.of(P0, new long[] {98, 99, 100})), List.of(P0)))
        .as("offset 100 was not in the log when the sync began")
        .isFalse();
  }

  @Test
  void aBatchIsCoveredOnlyIfEveryPartitionOfItIs() {
    SyncedEvents s = new SyncedEvents();
    s.synced(Map.of(P0, 100L));
    assertThat(s.covers(batch(Map.of(P0, new long[] {5}, P1, new long[] {5})), List.of(P0, P1)))
        .isFalse();
    s.synced(Map.of(P1, 6L));
    assertThat(s.covers(batch(Map.of(P0, new long[] {5}, P1, new long[] {5})), List.of(P0, P1)))
        .isTrue();
  }

  @Test
  void anOlderSyncNeverLowersWhatIsCovered() {
    SyncedEvents s = new SyncedEvents();
    s.synced(Map.of(P0, 100L));
    s.synced(Map.of(P0, 50L));
    assertThat(s.covers(batch(Map.of(P0, new long[] {80})), List.of(P0))).isTrue();
  }

  @Test
  void aPartitionAssignedAgainStartsUncovered() {
    SyncedEvents s = new SyncedEvents();
    s.synced(Map.of(P0, 100L, P1, 100L));
    s.forget(List.of(P0));
    assertThat(s.covers(batch(Map.of(P0, new long[] {1})), List.of(P0))).isFalse();
    assertThat(s.covers(batch(Map.of(P1, new long[] {1})), List.of(P1))).isTrue();
  }
}
