package com.flintn.webhooks.launcher;

import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "retry-scheduler",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one retry scheduler against kafka.bootstrap-servers until stopped (SIGTERM or Ctrl-C):",
      "moves retries from the delay tiers to the due topic when they fall due.",
      "Instances with the same topics.prefix share the tiers."
    })
final class RetrySchedulerCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws Exception {
    RetrySchedulerApp app = new RetrySchedulerApp(config.load(), Clock.systemUTC());
    app.start();
    Processes.awaitShutdown(app::close);
    return Main.OK;
  }
}
