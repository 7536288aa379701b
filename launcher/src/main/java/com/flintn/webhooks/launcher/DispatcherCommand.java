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
      "Instances with the same topics.prefix share the work."
    })
final class DispatcherCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws Exception {
    FlintnConfig c = config.load();
    DispatcherApp app = new DispatcherApp(c, Clock.systemUTC());
    app.start();
    Processes.awaitShutdown(app::close);
    return Main.OK;
  }
}
