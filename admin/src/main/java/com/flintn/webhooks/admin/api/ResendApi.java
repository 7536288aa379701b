package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.admin.attempts.AttemptLog;
import com.flintn.webhooks.admin.dlq.TimeSpec;
import com.flintn.webhooks.admin.resend.Resends;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.EventId;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code POST /v1/webhooks/{id}/resend} (one past event again) and {@code POST
 * /v1/webhooks/{id}/recover} (every event that failed for good since a time, once each, with a dry
 * run), for the caller's own endpoints. Each account may run {@value #RESEND_SLOTS} resends and
 * {@value #RECOVER_SLOTS} recovery at a time, as dead-letter replays are limited.
 */
final class ResendApi {
  private static final Set<String> RESEND_FIELDS = Set.of("event_id");
  private static final Set<String> RECOVER_FIELDS = Set.of("since", "dry_run");

  static final int RESEND_SLOTS = 2;
  static final int RECOVER_SLOTS = 1;

  private final Resends resends;
  private final AttemptLog attempts;
  private final Function<Context, Endpoint> owned;
  private final Clock clock;
  private final PerAccountSlots resendSlots =
      new PerAccountSlots(RESEND_SLOTS, "resends", Duration.ofSeconds(1));
  private final PerAccountSlots recoverSlots =
      new PerAccountSlots(RECOVER_SLOTS, "recoveries", Duration.ofSeconds(5));

  ResendApi(Resends resends, AttemptLog attempts, Function<Context, Endpoint> owned, Clock clock) {
    this.resends = resends;
    this.attempts = attempts;
    this.owned = owned;
    this.clock = clock;
  }

  List<WebhookApi.Route> routes() {
    String one = "/v1/webhooks/{id}";
    return List.of(
        new WebhookApi.Route(HandlerType.POST, one + "/resend", this::resend),
        new WebhookApi.Route(HandlerType.POST, one + "/recover", this::recover));
  }

  @SuppressWarnings("try") // the slot is held for the whole request, never used in it
  private void resend(Context ctx) {
    Endpoint e = owned.apply(ctx);
    JsonNode body = RequestFields.object(RequestBody.read(ctx), RESEND_FIELDS, "event_id");
    String raw = RequestFields.text(body, "event_id");
    if (raw == null || raw.isBlank()) {
      throw ApiError.invalid("event_id is required: the id of the event to send again");
    }
    EventId event;
    try {
      event = EventId.of(raw);
    } catch (IllegalArgumentException bad) {
      throw ApiError.invalid(
          "event_id: not an event id (1-128 letters, digits, _ or -), such as evt_8f2k");
    }
    requireActive(e, "resending");
    Resends.Resent r;
    try (PerAccountSlots.Slot slot = resendSlots.take(e.accountId())) {
      List<AttemptRecord> recent =
          attempts == null ? List.of() : attempts.recent(e.endpointId(), Integer.MAX_VALUE);
      r = resends.resend(e, event, recent);
    } catch (org.apache.kafka.common.KafkaException ex) {
      throw ApiError.unavailable("Kafka did not answer in time; retry shortly");
    }
    switch (r) {
      case Resends.Resent.NeverSent n ->
          throw ApiError.notFound(
              "event "
                  + event.value()
                  + " was not sent to this endpoint in the last "
                  + Resends.REACH.toDays()
                  + " days: no attempt of it is recorded. Only events sent (or dropped) for an"
                  + " endpoint can be resent to it");
      case Resends.Resent.BodyGone g ->
          throw ApiError.notFound(
              "event "
                  + event.value()
                  + " was sent to this endpoint at "
                  + g.firstAttempt()
                  + ", but its body is no longer kept"
                  + (g.budgetSpent()
                      ? " within the " + Resends.BODY_BUDGET + " records one request may read"
                      : "")
                  + ": events are kept 7 days, dead letters 30 days");
      case Resends.Resent.Queued q -> {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("event_id", q.delivery().event().eventId().value());
        out.put("event_type", q.delivery().event().eventType());
        out.put("endpoint_id", e.endpointId().value());
        out.put("delivery_id", q.delivery().deliveryId().value());
        out.put("found_in", q.source());
        WebhookApi.json(ctx, 202, out);
      }
    }
  }

  @SuppressWarnings("try") // the slot is held for the whole request, never used in it
  private void recover(Context ctx) throws InterruptedException {
    Endpoint e = owned.apply(ctx);
    JsonNode body = RequestFields.object(RequestBody.read(ctx), RECOVER_FIELDS, "since, dry_run");
    String sinceText = RequestFields.text(body, "since");
    if (sinceText == null || sinceText.isBlank()) {
      throw ApiError.invalid(
          "since is required: a time such as 2026-11-27T10:00:00Z or an age such as 2h");
    }
    Instant now = clock.instant(); // one reading: "30d" is exactly the reach, not a bit over
    Instant since;
    try {
      since = TimeSpec.parse(sinceText, Clock.fixed(now, ZoneOffset.UTC));
    } catch (IllegalArgumentException bad) {
      throw ApiError.invalid("since: " + bad.getMessage());
    }
    if (since.isAfter(now)) {
      throw ApiError.invalid("since: " + since + " is in the future");
    }
    if (since.isBefore(now.minus(Resends.REACH))) {
      throw ApiError.invalid(
          "since: at most "
              + Resends.REACH.toDays()
              + " days ago; attempts are kept "
              + Resends.REACH.toDays()
              + " days");
    }
    boolean dryRun = RequestFields.bool(body, "dry_run");
    if (!dryRun) {
      requireActive(e, "recovering");
    }
    Resends.Recovery r;
    try (PerAccountSlots.Slot slot = recoverSlots.take(e.accountId())) {
      r = resends.recover(e, since, dryRun);
    } catch (Resends.TakenOver t) {
      throw ApiError.conflict(
          "another recovery of this endpoint started and took over after this one resent "
              + t.sent
              + " events; its answer says what it did. Those are not sent again");
    } catch (Resends.LogBehind behind) {
      throw ApiError.unavailable("the replay log could not be read in time; retry shortly");
    } catch (org.apache.kafka.common.KafkaException ex) {
      throw ApiError.unavailable(
          "Kafka did not answer in time; retry shortly: what was resent is not sent again");
    }
    WebhookApi.json(ctx, 200, answer(r));
  }

  private static ObjectNode answer(Resends.Recovery r) {
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("dry_run", r.dryRun());
    out.put("since", r.since().toString());
    out.put("failed", r.failed());
    out.put("already_recovered", r.alreadyRecovered());
    out.put("to_resend", r.toResend());
    out.put("resent", r.resent());
    out.put("skipped_already_replayed", r.skippedAlreadyReplayed());
    out.put("not_found", r.notFound().size());
    ArrayNode nf = out.putArray("not_found_event_ids");
    r.notFound().stream().limit(Resends.SAMPLE).forEach(id -> nf.add(id.value()));
    out.put("pending_retry", r.pendingRetry());
    out.put("remaining", r.remaining());
    boolean complete =
        r.remaining() == 0 && r.attemptScanComplete() && r.bodyScanComplete() && !r.dryRun();
    out.put("complete", r.dryRun() ? r.attemptScanComplete() : complete);
    if (!r.attemptScanComplete()) {
      out.put(
          "limit_reached",
          "the attempt records read stopped at "
              + Resends.ATTEMPT_BUDGET
              + "; use a later since to cover the rest");
    } else if (!r.bodyScanComplete()) {
      out.put(
          "limit_reached",
          "the search for event bodies stopped at "
              + Resends.BODY_BUDGET
              + " records; the events not found are listed");
    } else if (r.remaining() > 0) {
      out.put(
          "limit_reached",
          "at most "
              + Resends.MAX_PER_REQUEST
              + " events are resent per request; send the same request again for the rest");
    }
    out.put("records_read", r.recordsRead());
    ArrayNode sample = out.putArray("sample");
    for (AttemptRecord a : r.sample()) {
      sample.add(ApiJson.attempt(a));
    }
    return out;
  }

  private static void requireActive(Endpoint e, String what) {
    if (!e.isActive()) {
      throw ApiError.conflict(
          "the endpoint is "
              + e.status().wireName()
              + (e.status() == EndpointStatus.DISABLED
                  ? "; reactivate it before " + what + " events"
                  : " and receives nothing"));
    }
  }
}
