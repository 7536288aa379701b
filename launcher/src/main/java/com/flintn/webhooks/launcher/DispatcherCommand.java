package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "dispatcher",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one dispatcher against kafka.bootstrap-servers until stopped (SIGTERM or Ctrl-C).",
      "Instances with the same topics.prefix share the work. /metrics and /health are",
      "served on metrics.port."
    })
final class DispatcherCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws Exception {
    FlintnConfig c = config.load();
    Clock clock = Clock.systemUTC();
    c.secrets().requireCipher(); // before any I/O
    ProcessMetrics metrics = ProcessMetrics.start(c, clock);
    DispatcherApp app = new DispatcherApp(c, clock, metrics.registry);
    app.addHealthChecks(metrics.health);
    try {
      app.start();
    } catch (RuntimeException e) {
      metrics.close(); // a configuration the data refuses, such as the wrong secrets key
      throw e;
    }
    System.out.println("dispatcher: /metrics and /health on port " + metrics.port());
    Processes.awaitShutdown(
        c.shutdownTimeout(),
        () -> {
          app.close();
          metrics.close();
        });
    return Main.OK;
  }
}
