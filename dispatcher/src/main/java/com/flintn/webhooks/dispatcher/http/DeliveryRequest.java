package com.flintn.webhooks.dispatcher.http;

import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.sign.WebhookSigner;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The headers of one delivery POST (docs/design.md §10 "Delivery headers"), computed over the exact
 * body bytes. During a secret rotation the previous secret signs too: as {@code
 * X-Signature-Secondary} and as a second {@code v1,} entry of {@code webhook-signature}.
 */
public final class DeliveryRequest {
  public static final String USER_AGENT = "Flintn-Webhooks/" + Version.current();

  private DeliveryRequest() {}

  public static Map<String, String> headers(
      Endpoint endpoint, Delivery delivery, byte[] body, Instant now) {
    String webhookId = delivery.event().eventId().value();
    long timestamp = now.getEpochSecond();
    Secret current = endpoint.secrets().current();
    Optional<Secret> previous = endpoint.secrets().previousAt(now);

    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", "application/json");
    h.put("User-Agent", USER_AGENT);
    h.put("X-Signature-Primary", WebhookSigner.primarySignature(current, body));
    previous.ifPresent(
        p -> h.put("X-Signature-Secondary", WebhookSigner.primarySignature(p, body)));
    h.put("X-Event-Id", webhookId);
    h.put("X-Event-Type", delivery.event().eventType());
    h.put("X-Webhook-Id", endpoint.endpointId().value());
    h.put("X-Delivery-Attempt", String.valueOf(delivery.attempt()));
    h.put("webhook-id", webhookId);
    h.put("webhook-timestamp", String.valueOf(timestamp));
    String standard = WebhookSigner.standardSignature(current, webhookId, timestamp, body);
    if (previous.isPresent()) {
      standard += " " + WebhookSigner.standardSignature(previous.get(), webhookId, timestamp, body);
    }
    h.put("webhook-signature", standard);
    return h;
  }
}
