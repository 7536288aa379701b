package com.flintn.webhooks.common.topic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.json.JsonSerde;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.DlqReplay;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.message.EventType;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.common.time.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the product under one prefix (docs/design.md §2). Retry tier topics are named
 * after their delay ({@code webhooks.retry.5m}), so a change of {@code retry.tiers} uses new topics
 * rather than mixing delays in one. Topics and their serdes are built once, when the catalogue is
 * made, so the per-record paths that look them up allocate nothing. Immutable and thread safe.
 */
public final class TopicCatalog {
  private static final Duration DAY = Duration.ofDays(1);

  /**
   * The largest record {@code webhooks.events} accepts: twice the highest {@code events.max-bytes}.
   * An event over the payload limit but under this one reaches the dispatcher, which refuses it
   * visibly (reason {@code too_large} on {@code webhooks.events.invalid}, with its size and source
   * position); only a record above this is refused by the broker to its producer.
   */
  public static final int EVENTS_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

  private final String prefix;
  private final List<Duration> tiers;
  private final ObjectMapper mapper;
  private final Topic<byte[], byte[]> events;
  private final Topic<byte[], byte[]> eventsInvalid;
  private final Topic<byte[], byte[]> eventsSeen;
  private final List<Topic<String, Delivery>> retryTiers;
  private final Topic<String, Delivery> deliveriesDue;
  private final Topic<String, Delivery> overflow;
  private final Topic<String, AttemptRecord> attempts;

  /** How long dead letters are kept. */
  public static final Duration DLQ_RETENTION = Duration.ofDays(30);

  /** How long replay notes are kept: longer than the dead letters they are about. */
  public static final Duration DLQ_REPLAYS_RETENTION = Duration.ofDays(35);

  private final Topic<String, Delivery> dlq;
  private final Topic<String, DlqReplay> dlqReplays;
  private final Topic<String, EndpointChange> endpointChanges;
  private final Topic<String, Endpoint> endpoints;
  private final Topic<String, EndpointEvent> endpointEvents;
  private final Topic<String, EventType> eventTypes;

  /** A catalogue whose serdes write signing secrets in plain text (tools that never see one). */
  public TopicCatalog(String prefix, List<Duration> tiers) {
    this(prefix, tiers, Optional.empty());
  }

  /**
   * How much longer than {@code events.dedup-window} the seen event ids are kept, so that a
   * dispatcher taking over a partition finds the whole window even with clocks a little apart.
   */
  public static final Duration SEEN_RETENTION_MARGIN = Duration.ofHours(1);

  /** The default of {@code events.dedup-window}. */
  public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofHours(24);

  /** A catalogue whose serdes encrypt every signing secret with {@code cipher}, if given. */
  public TopicCatalog(String prefix, List<Duration> tiers, Optional<SecretCipher> cipher) {
    this(prefix, tiers, cipher, DEFAULT_DEDUP_WINDOW);
  }

  /**
   * A catalogue whose serdes encrypt every signing secret with {@code cipher}, if given, and whose
   * seen-ids topic keeps {@code dedupWindow} (plus a margin).
   */
  public TopicCatalog(
      String prefix, List<Duration> tiers, Optional<SecretCipher> cipher, Duration dedupWindow) {
    this.prefix = prefix;
    this.tiers = List.copyOf(tiers);
    this.mapper = cipher.map(Json::mapperEncrypting).orElse(Json.mapper());
    Serde<Delivery> delivery = json(Delivery.class);
    this.events =
        new Topic<>(
            name("events"),
            Serdes.ByteArray(),
            Serdes.ByteArray(),
            TopicSpec.delete(DAY.multipliedBy(7)).maxMessageBytes(EVENTS_MAX_MESSAGE_BYTES));
    this.eventsInvalid =
        new Topic<>(
            name("events.invalid"),
            Serdes.ByteArray(),
            Serdes.ByteArray(),
            TopicSpec.delete(DAY.multipliedBy(30)));
    // The event ids first seen in each events partition (16 bytes each, many to a record), deleted
    // once older than the de-duplication window: a new owner of an events partition reads the
    // window back. Every id is written once, so compaction would keep nothing less.
    this.eventsSeen =
        new Topic<>(
            name("events.seen"),
            Serdes.ByteArray(),
            Serdes.ByteArray(),
            TopicSpec.delete(dedupWindow.plus(SEEN_RETENTION_MARGIN)));
    List<Topic<String, Delivery>> tierTopics = new ArrayList<>();
    for (Duration delay : this.tiers) {
      Duration retention = delay.multipliedBy(3);
      if (retention.compareTo(DAY.multipliedBy(3)) < 0) {
        retention = DAY.multipliedBy(3);
      }
      tierTopics.add(
          new Topic<>(
              name("retry." + Durations.format(delay)),
              Serdes.String(),
              delivery,
              TopicSpec.delete(retention)));
    }
    this.retryTiers = List.copyOf(tierTopics);
    this.deliveriesDue =
        new Topic<>(
            name("deliveries.due"),
            Serdes.String(),
            delivery,
            TopicSpec.delete(DAY.multipliedBy(7)));
    this.overflow =
        new Topic<>(
            name("overflow"), Serdes.String(), delivery, TopicSpec.delete(DAY.multipliedBy(30)));
    this.attempts =
        new Topic<>(
            name("attempts"),
            Serdes.String(),
            json(AttemptRecord.class),
            TopicSpec.delete(DAY.multipliedBy(30)).coPartitionedWithEndpoints());
    this.dlq = new Topic<>(name("dlq"), Serdes.String(), delivery, TopicSpec.delete(DLQ_RETENTION));
    // A replay note outlives its dead letter by a few days, then goes: compaction alone would
    // keep the notes of dead letters deleted long ago for ever.
    this.dlqReplays =
        new Topic<>(
            name("dlq.replays"),
            Serdes.String(),
            json(DlqReplay.class),
            TopicSpec.compact().retainedFor(DLQ_REPLAYS_RETENTION));
    this.endpointChanges =
        new Topic<>(
            name("endpoint-changes"),
            Serdes.String(),
            json(EndpointChange.class),
            TopicSpec.delete(DAY.multipliedBy(3650)).coPartitionedWithEndpoints());
    this.endpoints =
        new Topic<>(name("endpoints"), Serdes.String(), json(Endpoint.class), TopicSpec.compact());
    this.endpointEvents =
        new Topic<>(
            name("endpoint-events"),
            Serdes.String(),
            json(EndpointEvent.class),
            TopicSpec.delete(DAY.multipliedBy(30)));
    // One record per event type, kept until an operator removes it; read whole by every admin.
    this.eventTypes =
        new Topic<>(
            name("event-types"),
            Serdes.String(),
            json(EventType.class),
            new TopicSpec(Optional.empty(), true, false, OptionalInt.empty()));
  }

  private String name(String suffix) {
    return prefix + "." + suffix;
  }

  /** Raw bytes: upstream services produce here; the dispatcher validates every record itself. */
  public Topic<byte[], byte[]> events() {
    return events;
  }

  public Topic<byte[], byte[]> eventsInvalid() {
    return eventsInvalid;
  }

  /**
   * The event ids each dispatcher saw first, per partition of {@link #events()} (partition p here
   * is about partition p there): no key; the value a format byte and, per id, the 8-byte hash of
   * account and event id and the 8-byte offset of its first record; the timestamp when they were
   * seen. Deleted after {@code events.dedup-window} plus {@link #SEEN_RETENTION_MARGIN}.
   */
  public Topic<byte[], byte[]> eventsSeen() {
    return eventsSeen;
  }

  public List<Duration> tiers() {
    return tiers;
  }

  /** The delay topic holding deliveries waiting for attempt {@code tierIndex + 2}. */
  public Topic<String, Delivery> retryTier(int tierIndex) {
    return retryTiers.get(tierIndex);
  }

  public Topic<String, Delivery> deliveriesDue() {
    return deliveriesDue;
  }

  /**
   * Deliveries of endpoints that were over their share of a partition window, keyed by endpoint id
   * and read by the dispatcher at each endpoint's own pace (tenant isolation).
   */
  public Topic<String, Delivery> overflow() {
    return overflow;
  }

  public Topic<String, AttemptRecord> attempts() {
    return attempts;
  }

  public Topic<String, Delivery> dlq() {
    return dlq;
  }

  /**
   * Which dead letters were replayed (key: {@code topic/partition/offset}), compacted, and deleted
   * after {@link #DLQ_REPLAYS_RETENTION}.
   */
  public Topic<String, DlqReplay> dlqReplays() {
    return dlqReplays;
  }

  /** Change commands from the admin API, applied by the endpoint-state app. */
  public Topic<String, EndpointChange> endpointChanges() {
    return endpointChanges;
  }

  public Topic<String, Endpoint> endpoints() {
    return endpoints;
  }

  public Topic<String, EndpointEvent> endpointEvents() {
    return endpointEvents;
  }

  /**
   * The event-type catalogue (key: the type's name), compacted; a tombstone removes a type. Written
   * by operators ({@code event-types put/remove}), read by the admin API.
   */
  public Topic<String, EventType> eventTypes() {
    return eventTypes;
  }

  /** Every topic, in the order of docs/design.md's topic table. */
  public List<Topic<?, ?>> all() {
    List<Topic<?, ?>> all = new ArrayList<>();
    all.add(events);
    all.add(eventsInvalid);
    all.add(eventsSeen);
    all.addAll(retryTiers);
    all.add(deliveriesDue);
    all.add(overflow);
    all.add(attempts);
    all.add(dlq);
    all.add(dlqReplays);
    all.add(endpointChanges);
    all.add(endpoints);
    all.add(endpointEvents);
    all.add(eventTypes);
    return all;
  }

  private <T> Serde<T> json(Class<T> type) {
    return new JsonSerde<>(type, mapper);
  }
}
