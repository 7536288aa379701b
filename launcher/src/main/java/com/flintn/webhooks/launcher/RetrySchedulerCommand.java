package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

  @Option(
      names = "--no-endpoint-state",
      description =
          "Run the scheduler alone; run the endpoint-state app elsewhere (`endpoint-state`).")
  boolean noEndpointState;

  @Override
  public Integer call() throws Exception {
    FlintnConfig c = config.load();
    Clock clock = Clock.systemUTC();
    c.secrets().requireCipher(); // before any I/O
    ProcessMetrics metrics = ProcessMetrics.start(c, clock);
    EndpointStateApp state = noEndpointState ? null : new EndpointStateApp(c, metrics.registry);
    RetrySchedulerApp app = new RetrySchedulerApp(c, clock, metrics.registry);
    if (state != null) {
      state.addHealthChecks(metrics.health);
      state.start();
    }
    app.addHealthChecks(metrics.health);
    app.start();
    System.out.println("retry-scheduler: /metrics and /health on port " + metrics.port());
    Processes.awaitShutdown(
        c.shutdownTimeout(),
        () -> {
          app.close();
          if (state != null) {
            state.close();
          }
          metrics.close();
        });
    return Main.OK;
  }
}
