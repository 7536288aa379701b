package com.flintn.webhooks.common.topic;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a topic is created: compacted, or deleted after {@code retention}.
 *
 * @param coPartitioned whether the topic belongs to the group read together by the endpoint-state
 *     app, which must share one partition count
 * @param maxMessageBytes the topic's own {@code max.message.bytes}; empty for the broker's default
 */
public record TopicSpec(
    Optional<Duration> retention, boolean coPartitioned, OptionalInt maxMessageBytes) {

  public static TopicSpec delete(Duration retention) {
    return new TopicSpec(Optional.of(retention), false, OptionalInt.empty());
  }

  public static TopicSpec compact() {
    return new TopicSpec(Optional.empty(), true, OptionalInt.empty());
  }

  public TopicSpec coPartitionedWithEndpoints() {
    return new TopicSpec(retention, true, maxMessageBytes);
  }

  /** The same spec, accepting record batches up to {@code bytes}. */
  public TopicSpec maxMessageBytes(int bytes) {
    return new TopicSpec(retention, coPartitioned, OptionalInt.of(bytes));
  }

  /** Topic-level configs for {@code createTopics}. */
  public Map<String, String> configs() {
    Map<String, String> c = new HashMap<>();
    retention.ifPresentOrElse(
        r -> {
          c.put("cleanup.policy", "delete");
          c.put("retention.ms", String.valueOf(r.toMillis()));
        },
        () -> {
          c.put("cleanup.policy", "compact");
          c.put("min.compaction.lag.ms", "0");
          c.put("segment.ms", String.valueOf(Duration.ofHours(1).toMillis()));
        });
    maxMessageBytes.ifPresent(b -> c.put("max.message.bytes", String.valueOf(b)));
    return Map.copyOf(c);
  }
}
