package com.flintn.webhooks.common.metrics;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether the brokers answer: a cluster description at most every 10 s, the last answer kept in
 * between so probes cost nothing. Thread safe.
 */
public final class KafkaHealth implements AutoCloseable {
  private static final Duration EVERY = Duration.ofSeconds(10);

  private final Admin admin;
  private final Clock clock;
  private Instant checkedAt = Instant.MIN;
  private Health.Status last = Health.Status.down("not checked yet");

  public KafkaHealth(KafkaConfig kafka, Clock clock) {
    Properties p = KafkaClients.admin(kafka, "health");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    this.admin = Admin.create(p);
    this.clock = clock;
  }

  public synchronized Health.Status check() {
    Instant now = clock.instant();
    if (Duration.between(checkedAt, now).compareTo(EVERY) < 0) {
      return last;
    }
    checkedAt = now;
    try {
      int brokers =
          admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(5000))
              .nodes()
              .get(6, TimeUnit.SECONDS)
              .size();
      last = Health.Status.up(brokers + " broker(s) answering");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      last = Health.Status.down("interrupted");
    } catch (Exception e) {
      last = Health.Status.down("brokers do not answer: " + e.getMessage());
    }
    return last;
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
