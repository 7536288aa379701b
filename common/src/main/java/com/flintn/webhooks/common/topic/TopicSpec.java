package com.flintn.webhooks.common.topic;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a topic is created: compacted, deleted after {@code retention}, or both (compacted, and
 * whatever is older than {@code retention} deleted), with the {@code min.insync.replicas} its
 * replication factor warrants.
 *
 * @param retention how long records are kept; empty for a topic kept by compaction alone
 * @param compacted whether the topic is compacted (the latest record per key is kept)
 * @param coPartitioned whether the topic belongs to the group read together by the endpoint-state
 *     app, which must share one partition count
 * @param maxMessageBytes the topic's own {@code max.message.bytes}; empty for the broker's default
 */
public record TopicSpec(
    Optional<Duration> retention,
    boolean compacted,
    boolean coPartitioned,
    OptionalInt maxMessageBytes) {

  /** The topic config that says how many in-sync replicas an {@code acks=all} write needs. */
  public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

  public static TopicSpec delete(Duration retention) {
    return new TopicSpec(Optional.of(retention), false, false, OptionalInt.empty());
  }

  public static TopicSpec compact() {
    return new TopicSpec(Optional.empty(), true, true, OptionalInt.empty());
  }

  /**
   * The same spec, with records older than {@code retention} deleted as well ({@code
   * cleanup.policy=compact,delete} for a compacted topic).
   */
  public TopicSpec retainedFor(Duration retention) {
    return new TopicSpec(Optional.of(retention), compacted, coPartitioned, maxMessageBytes);
  }

  public TopicSpec coPartitionedWithEndpoints() {
    return new TopicSpec(retention, compacted, true, maxMessageBytes);
  }

  /** The same spec, accepting record batches up to {@code bytes}. */
  public TopicSpec maxMessageBytes(int bytes) {
    return new TopicSpec(retention, compacted, coPartitioned, OptionalInt.of(bytes));
  }

  /**
   * The {@code min.insync.replicas} a topic with {@code replicationFactor} replicas gets: 2 from 3
   * replicas on, so that every write acknowledged to an {@code acks=all} producer is on two brokers
   * and losing any one broker loses none of them, while writes go on with one broker down (the
   * usual Kafka and Strimzi setting for 3 replicas; more replicas allow more brokers down). With 2
   * replicas it is 1: 2 would stop every write whenever either broker is away, a rolling restart
   * included, so 2 replicas buy redundancy but not the guarantee; use 3. With 1 replica it is 1.
   */
  public static int minInsyncReplicas(int replicationFactor) {
    return Math.max(1, Math.min(2, replicationFactor - 1));
  }

  /** Topic-level configs for {@code createTopics}, for a topic of {@code replicationFactor}. */
  public Map<String, String> configs(int replicationFactor) {
    Map<String, String> c = new HashMap<>();
    c.put(MIN_INSYNC_REPLICAS, String.valueOf(minInsyncReplicas(replicationFactor)));
    if (compacted) {
      c.put("cleanup.policy", retention.isPresent() ? "compact,delete" : "compact");
      c.put("min.compaction.lag.ms", "0");
      c.put("segment.ms", String.valueOf(Duration.ofHours(1).toMillis()));
    } else {
      c.put("cleanup.policy", "delete");
    }
    retention.ifPresent(r -> c.put("retention.ms", String.valueOf(r.toMillis())));
    maxMessageBytes.ifPresent(b -> c.put("max.message.bytes", String.valueOf(b)));
    return Map.copyOf(c);
  }
}
