package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.admin.dlq.DeadLetter;
import com.flintn.webhooks.admin.dlq.DlqFilter;
import com.flintn.webhooks.admin.dlq.DlqPager;
import com.flintn.webhooks.admin.dlq.DlqReader;
import com.flintn.webhooks.admin.dlq.DlqReplayer;
import com.flintn.webhooks.admin.dlq.ReplayLog;
import com.flintn.webhooks.admin.dlq.TimeSpec;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.kafka.Offsets;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.Printable;
import com.flintn.webhooks.common.topic.TopicCatalog;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Dead letters of one endpoint: {@code GET /v1/webhooks/{id}/dead-letters} and {@code POST
 * /v1/webhooks/{id}/dead-letters/replay} (filters and dry run), the same engine as {@code dlq list}
 * and {@code dlq replay}, scoped to the caller's account. Every request reads a bounded amount: a
 * list reads one page ({@link DlqPager}: at most {@value #PAGE_READ_BUDGET} records, returns at
 * most {@code limit} and a cursor for the next page), a replay reads and sends in chunks of {@value
 * #REPLAY_CHUNK} records. Whether a dead letter was replayed is looked up in the {@link ReplayLog}
 * the process follows, not read per request. Each account has its own slots: {@value #LIST_SLOTS}
 * list reads and {@value #REPLAY_SLOTS} replay at a time, so one account cannot hold up another.
 */
final class DeadLetterApi {
  private static final Set<String> REASONS =
      Set.of("client_error", "unsafe_url", "attempts_exhausted");
  private static final Set<String> REPLAY_FIELDS =
      Set.of("dry_run", "allow_repeat", "reason", "event_type", "since", "until");
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 1000;

  /** Records one list request reads at most, matching or not. */
  static final int PAGE_READ_BUDGET = 10_000;

  /** Records a replay reads, and holds, at a time. */
  static final int REPLAY_CHUNK = 500;

  static final int LIST_SLOTS = 2;
  static final int REPLAY_SLOTS = 1;

  private final KafkaConfig kafka;
  private final TopicCatalog topics;
  private final EndpointView view;
  private final ReplayLog replayLog;
  private final Function<Context, Endpoint> owned;
  private final DlqReplayer replayer;
  private final Clock clock;
  private final PerAccountSlots lists =
      new PerAccountSlots(LIST_SLOTS, "dead-letter reads", Duration.ofSeconds(1));
  private final PerAccountSlots replays =
      new PerAccountSlots(REPLAY_SLOTS, "dead-letter replays", Duration.ofSeconds(5));

  DeadLetterApi(
      KafkaConfig kafka,
      TopicCatalog topics,
      EndpointView view,
      ReplayLog replayLog,
      Function<Context, Endpoint> owned,
      Clock clock) {
    this.kafka = kafka;
    this.topics = topics;
    this.view = view;
    this.replayLog = replayLog;
    this.owned = owned;
    this.replayer = new DlqReplayer(kafka, topics, clock);
    this.clock = clock;
  }

  List<WebhookApi.Route> routes() {
    String base = "/v1/webhooks/{id}/dead-letters";
    return List.of(
        new WebhookApi.Route(HandlerType.GET, base, this::list),
        new WebhookApi.Route(HandlerType.POST, base + "/replay", this::replay));
  }

  /** The slots of list reads; for tests that hold an account's reads. */
  PerAccountSlots listSlots() {
    return lists;
  }

  /** What a list shows of a dead letter; small, so a page holds little. */
  private record Listed(
      String position,
      String at,
      String eventId,
      String eventType,
      @Nullable String reason,
      int attempts,
      @Nullable String lastStatus) {
    static Listed of(DeadLetter d) {
      return new Listed(
          d.position(),
          d.at().toString(),
          d.delivery().event().eventId().value(),
          d.eventType(),
          d.reason(),
          d.attempts(),
          d.lastOutcome());
    }
  }

  @SuppressWarnings("try") // the read slot is held for the whole read, never used in it
  private void list(Context ctx) throws InterruptedException {
    Endpoint e = owned.apply(ctx);
    DlqFilter filter =
        filter(
            e,
            ctx.queryParam("reason"),
            ctx.queryParam("event_type"),
            ctx.queryParam("since"),
            ctx.queryParam("until"));
    int limit = RequestFields.limit(ctx.queryParam("limit"), DEFAULT_LIMIT, MAX_LIMIT);
    Optional<String> cursor = Optional.ofNullable(ctx.queryParam("cursor"));
    DlqPager.Page<Listed> page;
    try (PerAccountSlots.Slot slot = lists.take(e.accountId());
        DlqReader reader = new DlqReader(kafka, topics.dlq(), KAFKA_TIMEOUT)) {
      page = new DlqPager(reader, PAGE_READ_BUDGET).page(filter, cursor, limit, Listed::of);
    } catch (DlqPager.BadCursor bad) {
      throw ApiError.badRequest(Printable.message(bad));
    } catch (org.apache.kafka.common.errors.TimeoutException ex) {
      throw ApiError.unavailable("the dead-letter topic could not be read in time; retry shortly");
    }
    replayLog.sync(Duration.ofSeconds(2)); // best effort: a replay just made shows as such
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode data = body.putArray("data");
    for (Listed d : page.data()) {
      ObjectNode o = data.addObject();
      o.put("position", d.position());
      o.put("dead_lettered_at", d.at());
      o.put("event_id", d.eventId());
      o.put("event_type", d.eventType());
      o.put("reason", d.reason());
      o.put("attempts", d.attempts());
      o.put("last_status", d.lastStatus());
      o.put("replayed", replayLog.contains(d.position()));
    }
    body.put("count", page.data().size());
    if (page.nextCursor().isPresent()) {
      body.put("next_cursor", page.nextCursor().get());
    } else {
      body.putNull("next_cursor");
    }
    WebhookApi.json(ctx, 200, body);
  }

  @SuppressWarnings("try") // the replay slot is held for the whole replay, never used in it
  private void replay(Context ctx) throws InterruptedException {
    Endpoint e = owned.apply(ctx);
    JsonNode body =
        RequestFields.object(
            RequestBody.read(ctx),
            REPLAY_FIELDS,
            "dry_run, allow_repeat, reason, event_type, since, until");
    boolean dryRun = RequestFields.bool(body, "dry_run");
    boolean allowRepeat = RequestFields.bool(body, "allow_repeat");
    DlqFilter filter;
    try {
      filter =
          filter(
              e,
              RequestFields.text(body, "reason"),
              RequestFields.text(body, "event_type"),
              RequestFields.text(body, "since"),
              RequestFields.text(body, "until"));
    } catch (ApiError bad) {
      throw ApiError.invalid(Printable.message(bad)); // a field of the body, not of the URL
    }
    if (!dryRun && !e.isActive()) {
      throw ApiError.conflict(
          "the endpoint is "
              + e.status().wireName()
              + "; reactivate it before replaying its dead letters");
    }
    Totals t = new Totals();
    try (PerAccountSlots.Slot slot = replays.take(e.accountId());
        DlqReader reader = new DlqReader(kafka, topics.dlq(), KAFKA_TIMEOUT)) {
      if (!replayLog.sync(KAFKA_TIMEOUT)) {
        throw ApiError.unavailable("the replay log could not be read in time; retry shortly");
      }
      DlqReplayer.Options options =
          new DlqReplayer.Options(dryRun, allowRepeat, OptionalDouble.empty());
      List<TopicPartition> partitions = reader.partitions();
      Map<TopicPartition, Long> end = reader.endOffsets(partitions);
      Map<TopicPartition, Long> at = reader.startOffsets(partitions, filter.since());
      at.entrySet().removeIf(p -> p.getValue() >= Offsets.of(end, p.getKey()));
      while (!at.isEmpty()) {
        int chunk = Math.max(1, REPLAY_CHUNK / at.size());
        Map<TopicPartition, long[]> ranges = new HashMap<>();
        at.forEach(
            (tp, from) ->
                ranges.put(tp, new long[] {from, Math.min(Offsets.of(end, tp), from + chunk)}));
        List<DeadLetter> selected = new ArrayList<>();
        reader.read(ranges, filter, selected::add);
        Set<String> earlier = new HashSet<>();
        for (DeadLetter d : selected) {
          if (replayLog.contains(d.position())) {
            earlier.add(d.position());
          }
        }
        t.add(
            replayer.replay(
                selected, view::get, earlier, options, (handled, total, sent) -> {}, () -> false));
        ranges.forEach((tp, r) -> at.put(tp, r[1]));
        at.entrySet().removeIf(p -> p.getValue() >= Offsets.of(end, p.getKey()));
      }
    } catch (org.apache.kafka.common.errors.TimeoutException ex) {
      throw ApiError.unavailable(
          "the dead-letter topic could not be read in time; "
              + t.sent
              + " dead letters were replayed before that. Retry shortly: those are not sent"
              + " again");
    }
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("dry_run", dryRun);
    out.put("selected", t.selected);
    out.put("replayed", t.sent);
    out.put("skipped_already_replayed", t.skippedRepeat);
    out.put("skipped_inactive", t.skippedInactive);
    WebhookApi.json(ctx, 200, out);
  }

  /** What the chunks of one replay did, summed. */
  private static final class Totals {
    long selected;
    long sent;
    long skippedRepeat;
    long skippedInactive;

    void add(DlqReplayer.Report r) {
      selected += r.selected();
      sent += r.sent();
      skippedRepeat += r.skippedRepeat();
      skippedInactive += r.skippedInactive();
    }
  }

  private DlqFilter filter(
      Endpoint e,
      @Nullable String reason,
      @Nullable String eventType,
      @Nullable String since,
      @Nullable String until) {
    if (reason != null && !REASONS.contains(reason)) {
      throw ApiError.badRequest("reason must be client_error, unsafe_url or attempts_exhausted");
    }
    if (eventType != null && !eventType.isBlank() && !Event.isValidType(eventType)) {
      throw ApiError.badRequest(
          "event_type: "
              + Printable.quote(eventType)
              + " is not a dotted name such as order.created");
    }
    return new DlqFilter(
        Optional.of(e.endpointId()),
        Optional.of(e.accountId()),
        Optional.ofNullable(eventType).filter(t -> !t.isBlank()),
        Optional.ofNullable(reason),
        time("since", since),
        time("until", until));
  }

  private Optional<Instant> time(String name, @Nullable String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(TimeSpec.parse(text, clock));
    } catch (IllegalArgumentException ex) {
      throw ApiError.badRequest(name + ": " + ex.getMessage());
    }
  }
}
