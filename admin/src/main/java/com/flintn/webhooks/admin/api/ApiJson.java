package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EventType;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The API's JSON shapes (docs/design.md §10): an endpoint never carries its secrets here. */
final class ApiJson {
  private ApiJson() {}

  static ObjectNode endpoint(Endpoint e, Instant now) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("id", e.endpointId().value());
    o.put("account_id", e.accountId().value());
    o.put("name", e.name());
    o.put("url", e.url());
    ArrayNode types = o.putArray("event_types");
    e.eventTypes().forEach(types::add);
    o.put("status", e.status().wireName());
    if (e.rateLimited()) {
      o.put("rate_limit", e.rateLimit());
    } else {
      o.putNull("rate_limit");
    }
    if (e.disabledReason() != null) {
      o.put("disabled_reason", e.disabledReason());
    }
    putTime(o, "created_at", e.createdAt());
    putTime(o, "updated_at", e.updatedAt());
    if (e.secrets().previousAt(now).isPresent()) {
      putTime(o, "previous_secret_expires_at", e.secrets().previousExpiresAt());
    }
    return o;
  }

  static ObjectNode list(List<ObjectNode> items) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.putArray("data").addAll(items);
    return o;
  }

  static ObjectNode attempt(AttemptRecord a) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("delivery_id", a.deliveryId().value());
    o.put("event_id", a.eventId().value());
    o.put("event_type", a.eventType());
    o.put("attempt", a.attempt());
    putTime(o, "started_at", a.startedAt());
    o.put("duration_ms", a.durationMs());
    if (a.status() != null) {
      o.put("status", a.status());
    }
    if (a.error() != null) {
      o.put("error", a.error());
    }
    o.put("outcome", a.outcome().wireName());
    if (a.detail() != null) {
      o.put("detail", a.detail());
    }
    return o;
  }

  /** A catalogue entry: name, description, and the JSON Schema of its data if one is published. */
  static ObjectNode eventType(EventType t) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("name", t.name());
    o.put("description", t.description());
    if (t.schema() != null) {
      o.set("schema", t.schema());
    }
    return o;
  }

  static ObjectNode error(String code, String message) {
    ObjectNode o = Json.mapper().createObjectNode();
    ObjectNode e = o.putObject("error");
    e.put("code", code);
    e.put("message", message);
    return o;
  }

  private static void putTime(ObjectNode o, String field, @Nullable Instant t) {
    if (t != null) {
      o.put(field, t.toString());
    }
  }
}
