package com.flintn.webhooks.admin.resend;

import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Reads one endpoint's attempt records from {@code webhooks.attempts}. They are keyed by endpoint
 * id, so all of them are on one partition: a read covers that partition alone, from the offset
 * Kafka finds for a time, and skips the other endpoints that share it.
 */
public final class AttemptScan {
  /** Outcomes that end a delivery without it reaching the endpoint: what recover resends. */
  public static final Set<AttemptOutcome> FAILED =
      EnumSet.of(
          AttemptOutcome.DEAD_LETTERED,
          AttemptOutcome.REJECTED_UNSAFE_URL,
          AttemptOutcome.DROPPED_ENDPOINT_INACTIVE);

  /** An attempt record and its position ({@code topic/partition/offset}). */
  public record Located(AttemptRecord record, String position) {}

  /**
   * The latest attempt of each event (by position: a partition is in write order), oldest first.
   */
  public record Latest(List<Located> latest, long read, boolean budgetSpent) {}

  private AttemptScan() {}

  /**
   * The latest attempt of every event sent to {@code endpoint} that has an attempt started at or
   * after {@code since}.
   */
  static Latest latestSince(
      RecordScan scan,
      Topic<String, AttemptRecord> topic,
      EndpointId endpoint,
      Instant since,
      long budget) {
    Map<EventId, Located> latest = new LinkedHashMap<>();
    RecordScan.Stats stats =
        read(
            scan,
            topic,
            endpoint,
            since,
            null,
            budget,
            a -> !a.record().startedAt().isBefore(since),
            a -> {
              latest.remove(a.record().eventId()); // re-inserted last: the map stays in write order
              latest.put(a.record().eventId(), a);
            });
    return new Latest(new ArrayList<>(latest.values()), stats.read(), stats.budgetSpent());
  }

  /**
   * Every attempt of {@code event} to {@code endpoint} written between {@code from} and {@code to}
   * (the end now when null), in write order.
   */
  static Found ofEvent(
      RecordScan scan,
      Topic<String, AttemptRecord> topic,
      EndpointId endpoint,
      EventId event,
      Instant from,
      @Nullable Instant to,
      long budget) {
    List<Located> found = new ArrayList<>();
    RecordScan.Stats stats =
        read(
            scan,
            topic,
            endpoint,
            from,
            to,
            budget,
            a -> a.record().eventId().equals(event),
            found::add);
    return new Found(found, stats.read());
  }

  /** The attempts of one event a read found, and how many records it read. */
  record Found(List<Located> attempts, long read) {}

  private static RecordScan.Stats read(
      RecordScan scan,
      Topic<String, AttemptRecord> topic,
      EndpointId endpoint,
      Instant from,
      @Nullable Instant to,
      long budget,
      Predicate<Located> select,
      java.util.function.Consumer<Located> sink) {
    TopicPartition tp = scan.partitionOf(topic.name(), endpoint.value());
    byte[] key = endpoint.value().getBytes(StandardCharsets.UTF_8);
    return scan.read(
        scan.ranges(List.of(tp), from, to),
        budget,
        r -> {
          if (r.key() == null || !Arrays.equals(r.key(), key) || r.value() == null) {
            return true;
          }
          AttemptRecord a;
          try {
            a = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
          } catch (RuntimeException unreadable) {
            return true;
          }
          if (a == null || !a.endpointId().equals(endpoint)) {
            return true;
          }
          Located l = new Located(a, r.topic() + "/" + r.partition() + "/" + r.offset());
          if (select.test(l)) {
            sink.accept(l);
          }
          return true;
        });
  }
}
