package com.flintn.webhooks.testkit;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.SigningSecrets;
import com.flintn.webhooks.common.sign.Secret;
import java.time.Instant;
import java.util.List;

/** Endpoint records for tests. */
public final class Endpoints {
  private Endpoints() {}

  public static Endpoint endpoint(
      String id, String account, String url, List<String> eventTypes, EndpointStatus status) {
    Instant now = Instant.parse("2026-11-27T10:00:00Z");
    return new Endpoint(
        EndpointId.of(id),
        AccountId.of(account),
        "endpoint " + id,
        url,
        eventTypes,
        status,
        status == EndpointStatus.ACTIVE ? null : "test",
        SigningSecrets.of(Secret.generate()),
        now,
        now,
        1,
        null,
        null);
  }

  public static String event(String id, String type, String account) {
    return event(
        id, type, account, "2026-11-27T10:00:00Z", "{\"order\":\"" + id + "\",\"amount\":1250}");
  }

  /** An event envelope in the canonical field order, with {@code data} as raw JSON. */
  public static String event(
      String id, String type, String account, String createdAt, String data) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_type\":\""
        + type
        + "\",\"account_id\":\""
        + account
        + "\",\"created_at\":\""
        + createdAt
        + "\",\"data\":"
        + data
        + "}";
  }
}
