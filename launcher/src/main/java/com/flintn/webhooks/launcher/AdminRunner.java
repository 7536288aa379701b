package com.flintn.webhooks.launcher;

import com.flintn.webhooks.admin.AdminApp;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.FlintnConfig;
import java.net.BindException;
import java.time.Clock;

/** Starts the admin app, turning a taken port into an error that names {@code admin.port}. */
final class AdminRunner {
  private AdminRunner() {}

  static AdminApp start(FlintnConfig c, ApiKeys keys, Clock clock, ProcessMetrics metrics)
      throws InterruptedException {
    AdminApp app = new AdminApp(c, keys, clock, metrics.registry);
    app.addHealthChecks(metrics.health);
    try {
      app.start();
      return app;
    } catch (RuntimeException e) {
      app.close();
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BindException) {
          throw new ConfigException(
              ConfigKey.ADMIN_PORT.key(),
              "port "
                  + c.admin().port()
                  + " is already in use; choose another with "
                  + ConfigKey.ADMIN_PORT.environmentVariable());
        }
      }
      throw e;
    }
  }
}
