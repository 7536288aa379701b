package com.flintn.webhooks.admin.api;

import com.flintn.webhooks.admin.deliveries.DeliverySearch;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.time.Clock;

/** The admin API without its endpoint stores, writers and logs: for its routes and searches. */
final class WithoutStores {
  private WithoutStores() {}

  /** Every route; only the delivery search ({@code deliveries}, may be null) can answer. */
  static WebhookApi webhookApi(
      KafkaConfig kafka, TopicCatalog topics, Clock clock, DeliverySearch deliveries) {
    return new WebhookApi(
        null, null, null, null, null, null, kafka, topics, null, clock, null, null, deliveries);
  }
}
