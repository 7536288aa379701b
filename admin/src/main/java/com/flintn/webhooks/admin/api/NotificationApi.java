package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.admin.notifications.NotificationLog;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.EndpointEvent;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;

/**
 * {@code GET /v1/notifications} (docs/design.md §4.1): the account's latest failure notices and the
 * endpoints failing now, for the dashboard. Only the caller's account's notices are answered.
 */
final class NotificationApi {
  static final int PER_ACCOUNT = 50;

  private final NotificationLog log;

  NotificationApi(NotificationLog log) {
    this.log = log;
  }

  List<WebhookApi.Route> routes() {
    return List.of(new WebhookApi.Route(HandlerType.GET, "/v1/notifications", this::list));
  }

  private void list(Context ctx) {
    AccountId account = AccountEndpoints.account(ctx);
    int limit = RequestFields.limit(ctx.queryParam("limit"), PER_ACCOUNT, PER_ACCOUNT);
    ObjectNode body = Json.mapper().createObjectNode();
    var data = body.putArray("data");
    log.recent(account, limit).forEach(e -> data.add(notice(e)));
    var failing = body.putArray("failing");
    log.failing(account).forEach(e -> failing.add(notice(e)));
    WebhookApi.json(ctx, 200, body);
  }

  /** One notice: what happened to which endpoint, when, and the failure behind it. */
  static ObjectNode notice(EndpointEvent e) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put(
        "kind",
        switch (e.type()) {
          case EndpointEvent.FAILING -> "failing";
          case EndpointEvent.DISABLED -> "disabled";
          default -> "recovered";
        });
    o.put("endpoint_id", e.endpointId().value());
    o.put("at", e.at().toString());
    if (e.percentOfThreshold() != null) {
      o.put("percent_of_threshold", e.percentOfThreshold().intValue());
    }
    if (e.type().equals(EndpointEvent.DISABLED) || e.type().equals(EndpointEvent.RECOVERED)) {
      if (e.reason() != null) {
        o.put("reason", e.reason());
      }
    }
    if (e.type().equals(EndpointEvent.FAILING)) {
      // a rise within an hour of a recovery is shown here but sent as no webhook
      o.put("webhook_sent", e.reason() == null);
    }
    if (e.lastStatus() != null) {
      o.put("last_status", e.lastStatus());
    }
    if (e.eventId() != null) {
      o.put("failing_event_id", e.eventId().value());
    }
    return o;
  }
}
