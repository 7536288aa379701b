package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import com.flintn.webhooks.scheduler.endpoint.EndpointStateApp;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "retry-scheduler",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one retry scheduler against kafka.bootstrap-servers until stopped (SIGTERM or Ctrl-C):",
      "moves retries from the delay tiers to the due topic when they fall due, and runs the",
      "endpoint-state app (endpoint changes and attempts in, the endpoints table and status",
      "events out). Instances with the same topics.prefix share the work."
    })
final class RetrySchedulerCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws Exception {
    FlintnConfig c = config.load();
    Clock clock = Clock.systemUTC();
    c.secrets().requireCipher(); // before any I/O
    ProcessMetrics metrics = ProcessMetrics.start(c, clock);
    EndpointStateApp state = new EndpointStateApp(c, metrics.registry);
    RetrySchedulerApp app = new RetrySchedulerApp(c, clock, metrics.registry);
    state.addHealthChecks(metrics.health);
    app.addHealthChecks(metrics.health);
    state.start();
    app.start();
    System.out.println("retry-scheduler: /metrics and /health on port " + metrics.port());
    Processes.awaitShutdown(
        () -> {
          app.close();
          state.close();
          metrics.close();
        });
    return Main.OK;
  }
}
