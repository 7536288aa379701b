package com.flintn.webhooks.common.topic;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How a topic is created: compacted, or deleted after {@code retention}.
 *
 * @param coPartitioned whether the topic belongs to the group read together by the endpoint-state
 *     app, which must share one partition count
 */
public record TopicSpec(Optional<Duration> retention, boolean coPartitioned) {

  public static TopicSpec delete(Duration retention) {
    return new TopicSpec(Optional.of(retention), false);
  }

  public static TopicSpec compact() {
    return new TopicSpec(Optional.empty(), true);
  }

  public TopicSpec coPartitionedWithEndpoints() {
    return new TopicSpec(retention, true);
  }

  /** Topic-level configs for {@code createTopics}. */
  public Map<String, String> configs() {
    return retention
        .map(r -> Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(r.toMillis())))
        .orElseGet(
            () ->
                Map.of(
                    "cleanup.policy", "compact",
                    "min.compaction.lag.ms", "0",
                    "segment.ms", String.valueOf(Duration.ofHours(1).toMillis())));
  }
}
