package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "endpoint-state",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the endpoint-state app alone (Kafka Streams, exactly once): endpoint changes and",
      "attempts in, the endpoints table and status events out. `retry-scheduler` runs it too",
      "unless given --no-endpoint-state; use this to scale or restart the two apart."
    })
final class EndpointStateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws Exception {
    FlintnConfig c = config.load();
    c.secrets().requireCipher(); // before any I/O
    ProcessMetrics metrics = ProcessMetrics.start(c, Clock.systemUTC());
    EndpointStateApp state = new EndpointStateApp(c, metrics.registry);
    state.addHealthChecks(metrics.health);
    state.start();
    System.out.println("endpoint-state: /metrics and /health on port " + metrics.port());
    Processes.awaitShutdown(
        c.shutdownTimeout(),
        () -> {
          state.close();
          metrics.close();
        });
    return Main.OK;
  }
}
