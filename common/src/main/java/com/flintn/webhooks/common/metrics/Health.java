package com.flintn.webhooks.common.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The health checks of a process, answered at {@code /health} (200 when every check passes, 503
 * otherwise) and exported as {@code webhook.health{check}} 1 or 0. Thread safe.
 */
public final class Health {
  /** One check's answer; {@code detail} says what was seen, for people. */
  public record Status(boolean healthy, String detail) {
    public static Status up(String detail) {
      return new Status(true, detail);
    }

    public static Status down(String detail) {
      return new Status(false, detail);
    }
  }

  private record Check(String name, Supplier<Status> check, boolean liveness) {}

  private final List<Check> checks = new CopyOnWriteArrayList<>();
  private final MeterRegistry registry;

  public Health(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Adds a readiness check ({@code /health}); a check that throws counts as down with the
   * exception's message.
   */
  public void add(String name, Supplier<Status> check) {
    add(name, check, false);
  }

  /**
   * Adds a check that is also a liveness check ({@code /health/live}): one that only a restart can
   * mend, such as a dead poll loop. Kafka being away is not one: restarting does not bring it back.
   */
  public void addLiveness(String name, Supplier<Status> check) {
    add(name, check, true);
  }

  private void add(String name, Supplier<Status> check, boolean liveness) {
    checks.add(new Check(name, check, liveness));
    Gauge.builder(WebhookMetrics.HEALTH, () -> run(check).healthy() ? 1 : 0)
        .description("1 when the named health check passes")
        .tag("check", name)
        .register(registry);
  }

  /** Every check now, in the order added. */
  public Map<String, Status> report() {
    return report(false);
  }

  /** The liveness checks now. */
  public Map<String, Status> liveness() {
    return report(true);
  }

  private Map<String, Status> report(boolean livenessOnly) {
    Map<String, Status> out = new LinkedHashMap<>();
    for (Check c : new ArrayList<>(checks)) {
      if (!livenessOnly || c.liveness()) {
        out.put(c.name(), run(c.check()));
      }
    }
    return out;
  }

  private static Status run(Supplier<Status> check) {
    try {
      return check.get();
    } catch (RuntimeException e) {
      return Status.down(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
