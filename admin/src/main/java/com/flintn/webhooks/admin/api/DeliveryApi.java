package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.admin.deliveries.DeliveryIndex;
import com.flintn.webhooks.admin.deliveries.DeliveryIndex.Cursor;
import com.flintn.webhooks.admin.deliveries.DeliveryIndex.Found;
import com.flintn.webhooks.admin.deliveries.DeliveryIndex.Status;
import com.flintn.webhooks.admin.deliveries.DeliverySearch;
import com.flintn.webhooks.admin.dlq.TimeSpec;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.message.Printable;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /v1/deliveries}: the caller's deliveries from the {@link DeliverySearch} index, by
 * event id, status, event type, endpoint and time of first attempt, newest first, each with its
 * attempts. While the index loads, a 503 says how far it got: never a partial answer.
 */
final class DeliveryApi {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;
  private static final Set<String> PARAMETERS =
      Set.of(
          "event_id", "status", "event_type", "endpoint_id", "since", "until", "limit", "cursor");
  private static final String STATUSES = "delivered, failing, dead_lettered, pending or dropped";

  private final DeliverySearch search;
  private final Clock clock;

  DeliveryApi(DeliverySearch search, Clock clock) {
    this.search = search;
    this.clock = clock;
  }

  List<WebhookApi.Route> routes() {
    return List.of(new WebhookApi.Route(HandlerType.GET, "/v1/deliveries", this::list));
  }

  private void list(Context ctx) {
    AccountId account = AccountEndpoints.account(ctx);
    DeliveryIndex.Query q = query(ctx, account);
    DeliverySearch.Progress p = search.progress();
    if (!p.complete()) {
      throw ApiError.unavailable(
          String.format(
              Locale.ROOT,
              "delivery search is loading the attempt log: %d%% (%,d of %,d records); retry"
                  + " shortly",
              p.percent(),
              p.read(),
              p.total()),
          Duration.ofSeconds(5));
    }
    DeliveryIndex.Page page = search.index().search(q);
    DeliveryIndex.Stats stats = search.index().stats();
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode data = body.putArray("data");
    for (Found f : page.data()) {
      data.add(json(f));
    }
    body.put("count", page.data().size());
    if (page.next() != null) {
      body.put("next_cursor", page.next().text());
    } else {
      body.putNull("next_cursor");
    }
    ObjectNode index = body.putObject("index");
    index.put("complete", true);
    index.put("attempts", stats.attempts());
    if (stats.oldestAttemptAt() != null) {
      index.put("oldest_attempt_at", stats.oldestAttemptAt().toString());
    }
    index.put("dropped_attempts", stats.droppedAttempts());
    WebhookApi.json(ctx, 200, body);
  }

  private DeliveryIndex.Query query(Context ctx, AccountId account) {
    for (String name : ctx.queryParamMap().keySet()) {
      if (!name.isEmpty() && !PARAMETERS.contains(name)) {
        throw ApiError.badRequest(
            "unknown parameter "
                + Printable.quote(name.length() > 40 ? name.substring(0, 40) + "..." : name)
                + "; the parameters are event_id, status, event_type, endpoint_id, since, until,"
                + " limit and cursor");
      }
    }
    String eventId = blankToNull(ctx.queryParam("event_id"));
    if (eventId != null) {
      try {
        EventId.of(eventId);
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("event_id: " + e.getMessage());
      }
    }
    Status status = null;
    String s = blankToNull(ctx.queryParam("status"));
    if (s != null) {
      status =
          Status.byWireName(s)
              .orElseThrow(
                  () ->
                      ApiError.badRequest(
                          "status: " + Printable.quote(s) + " is not a status; use " + STATUSES));
    }
    String type = blankToNull(ctx.queryParam("event_type"));
    if (type != null && !Event.isValidType(type)) {
      throw ApiError.badRequest(
          "event_type: " + Printable.quote(type) + " is not a dotted name such as order.created");
    }
    EndpointId endpoint = null;
    String ep = blankToNull(ctx.queryParam("endpoint_id"));
    if (ep != null) {
      try {
        endpoint = EndpointId.of(ep);
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("endpoint_id: " + e.getMessage());
      }
    }
    Instant since = time("since", ctx.queryParam("since"));
    Instant until = time("until", ctx.queryParam("until"));
    if (since != null && until != null && !since.isBefore(until)) {
      throw ApiError.badRequest("since must be before until");
    }
    Cursor cursor = null;
    String c = blankToNull(ctx.queryParam("cursor"));
    if (c != null) {
      try {
        cursor = Cursor.parse(c);
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("cursor " + e.getMessage());
      }
    }
    return new DeliveryIndex.Query(
        account,
        eventId,
        status,
        type,
        endpoint,
        since,
        until,
        RequestFields.limit(ctx.queryParam("limit"), DEFAULT_LIMIT, MAX_LIMIT),
        cursor);
  }

  private @Nullable Instant time(String name, @Nullable String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return TimeSpec.parse(text, clock);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(name + ": " + e.getMessage());
    }
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static ObjectNode json(Found f) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put(
        "delivery_id",
        Delivery.idFor(EventId.of(f.eventId()), EndpointId.of(f.endpointId())).value());
    o.put("event_id", f.eventId());
    if (f.eventType() != null) {
      o.put("event_type", f.eventType());
    }
    o.put("endpoint_id", f.endpointId());
    o.put("status", f.status().wireName());
    o.put("first_attempt_at", f.firstAttemptAt().toString());
    o.put("last_attempt_at", f.lastAttemptAt().toString());
    o.put("attempt_count", f.attemptCount());
    ArrayNode attempts = o.putArray("attempts");
    for (DeliveryIndex.Attempt a : f.attempts()) {
      ObjectNode x = attempts.addObject();
      x.put("attempt", a.attempt());
      x.put("started_at", a.startedAt().toString());
      x.put("duration_ms", a.durationMs());
      if (a.httpStatus() != null) {
        x.put("status", a.httpStatus());
      }
      if (a.error() != null) {
        x.put("error", a.error());
      }
      x.put("outcome", a.outcome().wireName());
    }
    return o;
  }
}
