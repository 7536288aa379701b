package com.flintn.webhooks.scheduler.tier;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Which tier partitions are paused, and until when. It holds only what the head records of the
 * partitions currently assigned said, and is cleared for every partition that is revoked or lost,
 * so after any rebalance the pause state is recomputed from the head records rather than trusted
 * from before. Confined to the poll thread.
 */
final class PauseSchedule {
  private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();

  void pause(TopicPartition tp, long untilMillis) {
    pausedUntil.put(tp, untilMillis);
  }

  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(pausedUntil::remove);
  }

  boolean isScheduled(TopicPartition tp) {
    return pausedUntil.containsKey(tp);
  }

  /** Removes and returns the partitions whose head is due at {@code nowMillis}. */
  List<TopicPartition> takeDue(long nowMillis) {
    List<TopicPartition> due = new ArrayList<>();
    pausedUntil
        .entrySet()
        .removeIf(
            e -> {
              if (e.getValue() <= nowMillis) {
                due.add(e.getKey());
                return true;
              }
              return false;
            });
    return due;
  }

  /** When the next paused partition becomes due, if any is paused. */
  OptionalLong nextDue() {
    return pausedUntil.values().stream().mapToLong(Long::longValue).min();
  }
}
