package com.flintn.webhooks.admin.resend;

import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.event.ParsedEvent;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.message.Origin;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Finds the events to send again. Attempt records hold ids, not bodies; the body is on one of three
 * topics, read in this order, each from the given time on:
 *
 * <ol>
 *   <li>{@code webhooks.dlq}, the endpoint's partition (kept 30 days): the delivery as it was last
 *       sent, for dead-lettered events; the latest dead letter of an event wins;
 *   <li>{@code webhooks.deliveries.due}, the endpoint's partition (7 days): retries, test events
 *       and replays;
 *   <li>{@code webhooks.events}, every partition (7 days; keyed by account only as advice): the
 *       envelope, for first attempts, only for the events still missing.
 * </ol>
 *
 * Every read shares one record budget; what is not found within it is reported as not found.
 */
final class EventBodies {
  /** Where a body was found. */
  enum Source {
    DEAD_LETTER,
    DUE,
    EVENTS
  }

  /** An event's body, its original position on the events topic if known, and where it was. */
  record Found(Event event, @Nullable Origin origin, Source source, String position) {}

  /** What was found, how many records were read, and whether the budget ran out. */
  record Result(Map<EventId, Found> found, long read, boolean budgetSpent) {}

  private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024; // events already delivered once

  private EventBodies() {}

  static Result find(
      RecordScan scan,
      TopicCatalog topics,
      Endpoint endpoint,
      Set<EventId> wanted,
      Instant from,
      long budget) {
    Map<EventId, Found> found = new HashMap<>();
    long read = 0;
    boolean spent;
    // 1: dead letters (every one of the range: the latest wins)
    RecordScan.Stats s =
        deliveries(scan, topics.dlq(), endpoint, wanted, from, budget, found, true);
    read += s.read();
    spent = s.budgetSpent();
    // 2: due deliveries
    if (!spent && found.size() < wanted.size()) {
      s =
          deliveries(
              scan, topics.deliveriesDue(), endpoint, wanted, from, budget - read, found, false);
      read += s.read();
      spent = s.budgetSpent();
    }
    // 3: the events topic
    if (!spent && found.size() < wanted.size()) {
      Set<EventId> missing = new HashSet<>(wanted);
      missing.removeAll(found.keySet());
      s = events(scan, topics.events(), endpoint, missing, from, budget - read, found);
      read += s.read();
      spent = s.budgetSpent();
    }
    return new Result(found, read, spent);
  }

  private static RecordScan.Stats deliveries(
      RecordScan scan,
      Topic<String, Delivery> topic,
      Endpoint endpoint,
      Set<EventId> wanted,
      Instant from,
      long budget,
      Map<EventId, Found> found,
      boolean latestWins) {
    TopicPartition tp = scan.partitionOf(topic.name(), endpoint.endpointId().value());
    byte[] key = endpoint.endpointId().value().getBytes(StandardCharsets.UTF_8);
    Source source = latestWins ? Source.DEAD_LETTER : Source.DUE;
    return scan.read(
        scan.ranges(List.of(tp), from, null),
        Math.max(1, budget),
        r -> {
          if (r.key() == null || !Arrays.equals(r.key(), key) || r.value() == null) {
            return true;
          }
          Delivery d;
          try {
            d = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
          } catch (RuntimeException unreadable) {
            return true;
          }
          if (d == null
              || !d.endpointId().equals(endpoint.endpointId())
              || !wanted.contains(d.event().eventId())
              || !endpoint.accountId().equals(d.event().accountId())) {
            return true;
          }
          Found f = new Found(d.event(), d.origin(), source, position(r));
          if (latestWins) {
            found.put(d.event().eventId(), f);
          } else {
            found.putIfAbsent(d.event().eventId(), f);
          }
          return latestWins || found.size() < wanted.size();
        });
  }

  private static RecordScan.Stats events(
      RecordScan scan,
      Topic<byte[], byte[]> topic,
      Endpoint endpoint,
      Set<EventId> missing,
      Instant from,
      long budget,
      Map<EventId, Found> found) {
    EventParser parser = new EventParser(MAX_EVENT_BYTES);
    return scan.read(
        scan.ranges(scan.partitions(topic.name()), from, null),
        Math.max(1, budget),
        r -> {
          if (r.value() == null || !mentionsOne(r.value(), missing)) {
            return true;
          }
          if (parser.parse(r.value()) instanceof ParsedEvent.Valid ok
              && missing.contains(ok.event().eventId())
              && endpoint.accountId().equals(ok.event().accountId())) {
            missing.remove(ok.event().eventId());
            found.put(
                ok.event().eventId(),
                new Found(
                    ok.event(),
                    new Origin(r.topic(), r.partition(), r.offset()),
                    Source.EVENTS,
                    position(r)));
          }
          return !missing.isEmpty();
        });
  }

  private static final Pattern EVENT_ID =
      Pattern.compile("\"event_id\"\\s*:\\s*\"([^\"]{1,128})\"");

  /**
   * A cheap test before parsing: some {@code "event_id": "..."} in the text names one of {@code
   * ids}. A record that passes is parsed, and its envelope's own id decides.
   */
  private static boolean mentionsOne(byte[] value, Set<EventId> ids) {
    Matcher m = EVENT_ID.matcher(new String(value, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      try {
        if (ids.contains(EventId.of(m.group(1)))) {
          return true;
        }
      } catch (IllegalArgumentException notAnId) {
        // a field of the data that happens to be named event_id; look further
      }
    }
    return false;
  }

  private static String position(ConsumerRecord<byte[], byte[]> r) {
    return r.topic() + "/" + r.partition() + "/" + r.offset();
  }
}
