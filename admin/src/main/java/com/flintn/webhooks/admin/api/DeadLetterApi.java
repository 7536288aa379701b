package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.admin.dlq.DeadLetter;
import com.flintn.webhooks.admin.dlq.DlqFilter;
import com.flintn.webhooks.admin.dlq.DlqReader;
import com.flintn.webhooks.admin.dlq.DlqReplayer;
import com.flintn.webhooks.admin.dlq.TimeSpec;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.Printable;
import com.flintn.webhooks.common.topic.TopicCatalog;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

/**
 * Dead letters of one endpoint: {@code GET /v1/webhooks/{id}/dead-letters} and {@code POST
 * /v1/webhooks/{id}/dead-letters/replay} (filters and dry run), the same engine as {@code dlq list}
 * and {@code dlq replay}, scoped to the caller's account. Each request reads the dead-letter topic
 * (from {@code since} when given); one replay runs at a time per admin process.
 */
final class DeadLetterApi {
  private static final Set<String> REASONS =
      Set.of("client_error", "unsafe_url", "attempts_exhausted");
  private static final Set<String> REPLAY_FIELDS =
      Set.of("dry_run", "allow_repeat", "reason", "event_type", "since", "until");
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

  private final String bootstrapServers;
  private final TopicCatalog topics;
  private final EndpointView view;
  private final Function<Context, Endpoint> owned;
  private final DlqReplayer replayer;
  private final Clock clock;

  /** Dead-letter reads at once in this process; each scans a topic, so they are few. */
  private final java.util.concurrent.Semaphore scans = new java.util.concurrent.Semaphore(2);

  /** One replay at a time per process; a waiting request gives up rather than queue. */
  private final java.util.concurrent.locks.ReentrantLock replaying =
      new java.util.concurrent.locks.ReentrantLock();

  DeadLetterApi(
      String bootstrapServers,
      TopicCatalog topics,
      EndpointView view,
      Function<Context, Endpoint> owned,
      Clock clock) {
    this.bootstrapServers = bootstrapServers;
    this.topics = topics;
    this.view = view;
    this.owned = owned;
    this.replayer = new DlqReplayer(bootstrapServers, topics, clock);
    this.clock = clock;
  }

  List<WebhookApi.Route> routes() {
    String base = "/v1/webhooks/{id}/dead-letters";
    return List.of(
        new WebhookApi.Route(HandlerType.GET, base, this::list),
        new WebhookApi.Route(HandlerType.POST, base + "/replay", this::replay));
  }

  private void list(Context ctx) {
    Endpoint e = owned.apply(ctx);
    DlqFilter filter =
        filter(
            e,
            ctx.queryParam("reason"),
            ctx.queryParam("event_type"),
            ctx.queryParam("since"),
            ctx.queryParam("until"));
    int limit = limit(ctx.queryParam("limit"));
    ArrayDeque<DeadLetter> last = new ArrayDeque<>(limit);
    DlqReader.Stats stats =
        scan(
            filter,
            d -> {
              if (last.size() == limit) {
                last.removeFirst();
              }
              last.addLast(d);
            });
    Set<String> replayed = earlierReplays();
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode data = body.putArray("data");
    for (Iterator<DeadLetter> it = last.descendingIterator(); it.hasNext(); ) {
      DeadLetter d = it.next();
      ObjectNode o = data.addObject();
      o.put("position", d.position());
      o.put("dead_lettered_at", d.at().toString());
      o.put("event_id", d.delivery().event().eventId().value());
      o.put("event_type", d.eventType());
      o.put("reason", d.reason());
      o.put("attempts", d.attempts());
      o.put("last_status", d.lastOutcome());
      o.put("replayed", replayed.contains(d.position()));
    }
    body.put("count", stats.matched());
    WebhookApi.json(ctx, 200, body);
  }

  private void replay(Context ctx) throws InterruptedException {
    Endpoint e = owned.apply(ctx);
    JsonNode body = body(RequestBody.read(ctx));
    boolean dryRun = bool(body, "dry_run");
    boolean allowRepeat = bool(body, "allow_repeat");
    DlqFilter filter;
    try {
      filter =
          filter(
              e,
              text(body, "reason"),
              text(body, "event_type"),
              text(body, "since"),
              text(body, "until"));
    } catch (ApiError bad) {
      throw ApiError.invalid(bad.getMessage()); // a field of the body, not of the URL
    }
    if (!dryRun && !e.isActive()) {
      throw ApiError.conflict(
          "the endpoint is "
              + e.status().wireName()
              + "; reactivate it before replaying its dead letters");
    }
    if (!replaying.tryLock(5, java.util.concurrent.TimeUnit.SECONDS)) {
      throw ApiError.unavailable("another replay is running in this process; retry shortly");
    }
    DlqReplayer.Report r;
    try {
      List<DeadLetter> selected = new ArrayList<>();
      scan(filter, selected::add);
      r =
          replayer.replay(
              selected,
              view::get,
              earlierReplays(),
              new DlqReplayer.Options(dryRun, allowRepeat, OptionalDouble.empty()),
              (handled, total, sent) -> {},
              () -> false);
    } finally {
      replaying.unlock();
    }
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("dry_run", dryRun);
    out.put("selected", r.selected());
    out.put("replayed", r.sent());
    out.put("skipped_already_replayed", r.skippedRepeat());
    out.put("skipped_inactive", r.skippedInactive());
    WebhookApi.json(ctx, 200, out);
  }

  private DlqFilter filter(
      Endpoint e, String reason, String eventType, String since, String until) {
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

  private Optional<Instant> time(String name, String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(TimeSpec.parse(text, clock));
    } catch (IllegalArgumentException ex) {
      throw ApiError.badRequest(name + ": " + ex.getMessage());
    }
  }

  private DlqReader.Stats scan(DlqFilter filter, java.util.function.Consumer<DeadLetter> sink) {
    boolean admitted;
    try {
      admitted = scans.tryAcquire(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      admitted = false;
    }
    if (!admitted) {
      throw ApiError.unavailable("dead letters are being read for other requests; retry shortly");
    }
    try (DlqReader reader = new DlqReader(bootstrapServers, topics.dlq(), KAFKA_TIMEOUT)) {
      return reader.scan(filter, sink, () -> false);
    } catch (org.apache.kafka.common.errors.TimeoutException ex) {
      throw ApiError.unavailable("the dead-letter topic could not be read in time; retry shortly");
    } finally {
      scans.release();
    }
  }

  private Set<String> earlierReplays() {
    try {
      return replayer.earlierReplays(KAFKA_TIMEOUT);
    } catch (org.apache.kafka.common.errors.TimeoutException ex) {
      throw ApiError.unavailable("the replay log could not be read in time; retry shortly");
    }
  }

  private static JsonNode body(byte[] bytes) {
    if (bytes.length == 0) {
      return Json.mapper().createObjectNode();
    }
    JsonNode o;
    try {
      o = Json.mapper().readTree(bytes);
    } catch (JacksonException ex) {
      throw ApiError.badRequest("the body is not valid JSON");
    } catch (IOException ex) {
      throw ApiError.badRequest("the body could not be read");
    }
    if (o == null || !o.isObject()) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!REPLAY_FIELDS.contains(f)) {
        throw ApiError.invalid(
            "unknown field '"
                + (f.length() > 40 ? f.substring(0, 40) + "..." : f)
                + "'; the fields are dry_run, allow_repeat, reason, event_type, since, until");
      }
    }
    return o;
  }

  private static boolean bool(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw ApiError.invalid(field + " must be true or false");
    }
    return v.booleanValue();
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw ApiError.invalid(field + " must be a string");
    }
    return v.asText();
  }

  private static int limit(String text) {
    if (text == null) {
      return 50;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= 1 && n <= 200) {
        return n;
      }
    } catch (NumberFormatException ex) {
      // answered below
    }
    throw ApiError.badRequest("limit must be a whole number from 1 to 200");
  }
}
