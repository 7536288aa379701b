package com.flintn.webhooks.common.metrics;

import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.message.EndpointStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code webhook.endpoints{status}}: how many endpoints the table holds in each status. */
public final class EndpointGauges {
  private EndpointGauges() {}

  /** Binds the gauges to {@code view}; a second view in the same registry is ignored. */
  public static void bind(MeterRegistry registry, EndpointView view) {
    if (registry.find(WebhookMetrics.ENDPOINTS).gauge() != null) {
      return; // standalone: the dispatcher's and the admin's views hold the same table
    }
    for (EndpointStatus s : EndpointStatus.values()) {
      Gauge.builder(WebhookMetrics.ENDPOINTS, view, v -> v.count(s))
          .description("Endpoints in the endpoints table, by status")
          .tag("status", s.wireName())
          .register(registry);
    }
  }
}
