package com.flintn.webhooks.common.kafka;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/** Reading Kafka's answers about offsets. */
public final class Offsets {
  private Offsets() {}

  /**
   * The offset of {@code tp} in an answer of Kafka's (beginning or end offsets), which has one for
   * every partition asked.
   *
   * @throws IllegalStateException if the answer has none for {@code tp}
   */
  public static long of(Map<TopicPartition, Long> offsets, TopicPartition tp) {
    Long o = offsets.get(tp);
    if (o == null) {
      throw new IllegalStateException("no offset for " + tp);
    }
    return o;
  }
}
