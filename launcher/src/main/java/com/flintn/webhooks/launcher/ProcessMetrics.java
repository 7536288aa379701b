package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.metrics.Health;
import com.flintn.webhooks.common.metrics.KafkaHealth;
import com.flintn.webhooks.common.metrics.MetricsServer;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;

/**
 * The metrics registry, health checks and {@code /metrics} + {@code /health} server of one process,
 * on {@code metrics.port}. Started before the components, so probes answer 503 while they start.
 */
final class ProcessMetrics implements AutoCloseable {
  final PrometheusMeterRegistry registry = WebhookMetrics.prometheus();
  final Health health = new Health(registry);
  private final KafkaHealth kafka;
  private final MetricsServer server;

  private ProcessMetrics(FlintnConfig c, Clock clock) {
    this.kafka = new KafkaHealth(c.kafka(), clock);
    health.add("kafka", kafka::check);
    try {
      this.server = MetricsServer.start(c.metricsPort(), registry, health);
    } catch (IOException e) {
      kafka.close();
      throw new ConfigException(
          ConfigKey.METRICS_PORT.key(),
          "port "
              + c.metricsPort()
              + " cannot be used ("
              + e.getMessage()
              + "); choose another with "
              + ConfigKey.METRICS_PORT.environmentVariable());
    }
  }

  static ProcessMetrics start(FlintnConfig c, Clock clock) {
    return new ProcessMetrics(c, clock);
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    kafka.close();
    registry.close();
  }
}
