package com.flintn.webhooks.scheduler;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.metrics.Health;
import com.flintn.webhooks.scheduler.tier.TierMovers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * The retry-scheduler process: moves due retries from the delay tiers back to {@code
 * webhooks.deliveries.due}. Instances with the same topic prefix share the tier partitions through
 * one consumer group. Lifecycle: {@link #start()} once, then {@link #close()} (graceful) or {@link
 * #halt()} (as a crash).
 */
public final class RetrySchedulerApp implements AutoCloseable {
  private final TierMovers movers;

  public RetrySchedulerApp(FlintnConfig config, Clock clock) {
    this(config, clock, new SimpleMeterRegistry());
  }

  /** A scheduler that records moves and their lateness per tier in {@code registry}. */
  public RetrySchedulerApp(FlintnConfig config, Clock clock, MeterRegistry registry) {
    this.movers =
        new TierMovers(config.kafka(), config.topicCatalog(), groupId(config), clock, registry);
  }

  /** Adds this scheduler's check: its poll loop is running. */
  public void addHealthChecks(Health health) {
    health.addLiveness(
        "retry_scheduler",
        () ->
            movers.isRunning()
                ? Health.Status.up(movers.moved() + " retries moved")
                : Health.Status.down("the retry scheduler's loop is not running"));
  }

  public static String groupId(FlintnConfig config) {
    return config.topics().prefix() + ".retry-scheduler";
  }

  public void start() {
    movers.start();
  }

  /** Records moved to the due topic by this instance so far. */
  public long moved() {
    return movers.moved();
  }

  @Override
  public void close() {
    movers.close(true);
  }

  /** Stops as a crash would: the consumer leaves, the producer is dropped without a clean end. */
  public void halt() {
    movers.close(false);
  }
}
