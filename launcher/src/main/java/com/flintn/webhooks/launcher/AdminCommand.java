package com.flintn.webhooks.launcher;

import com.flintn.webhooks.admin.AdminApp;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.FlintnConfig;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the admin API and the dashboard on admin.port against kafka.bootstrap-servers until",
      "stopped (SIGTERM or Ctrl-C). API keys come from admin.api-keys, a file of",
      "'key account_id' lines; each key sees only its account's endpoints."
    })
final class AdminCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws Exception {
    FlintnConfig c = config.load();
    ApiKeys keys =
        ApiKeys.load(
            c.admin()
                .apiKeys()
                .orElseThrow(
                    () ->
                        new ConfigException(
                            ConfigKey.ADMIN_API_KEYS.key(),
                            "is required: a file of 'key account_id' lines (set "
                                + ConfigKey.ADMIN_API_KEYS.environmentVariable()
                                + ")")));
    Clock clock = Clock.systemUTC();
    c.secrets().requireCipher(); // before any I/O
    ProcessMetrics metrics = ProcessMetrics.start(c, clock);
    AdminApp app = AdminRunner.start(c, keys, clock, metrics);
    System.out.println(
        "Flintn Webhooks admin: API and dashboard at http://localhost:"
            + app.port()
            + "/, /metrics and /health on port "
            + metrics.port());
    Processes.awaitShutdown(
        c.shutdownTimeout(),
        () -> {
          app.close();
          metrics.close();
        });
    return Main.OK;
  }
}
