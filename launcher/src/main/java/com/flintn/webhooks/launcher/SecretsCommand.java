package com.flintn.webhooks.launcher;

import com.flintn.webhooks.admin.secrets.SecretsRekey;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.common.time.Durations;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "secrets",
    mixinStandardHelpOptions = true,
    description = "Manages how signing secrets are kept at rest (the secrets.* keyring).",
    subcommands = {SecretsCommand.Rekey.class})
final class SecretsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "say what to do: secrets rekey");
  }

  @Command(
      name = "rekey",
      mixinStandardHelpOptions = true,
      description = {
        "Re-encrypts every endpoint's signing secrets with the writing key",
        "(secrets.encryption-key-id), through the endpoint-state app, the table's only writer:",
        "one rekey change per endpoint not yet sealed with that key, applied in order with",
        "every other change. Run it once every retry-scheduler (or endpoint-state) writes",
        "with that key.",
        "Safe to run again: it sends only what is still not re-encrypted."
      })
  static final class Rekey implements Callable<Integer> {
    static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);

    @Mixin ConfigOption config;

    @Option(
        names = "--dry-run",
        description = "Say how many endpoints would be re-encrypted; write nothing.")
    boolean dryRun;

    @Option(
        names = "--timeout",
        defaultValue = "2m",
        paramLabel = "DURATION",
        description = "How long to wait for the endpoint-state app to rewrite them (default 2m).")
    String timeout;

    @Override
    public Integer call() throws Exception {
      Duration bound;
      try {
        bound = Durations.parse(timeout);
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException("--timeout: " + e.getMessage());
      }
      FlintnConfig c = config.load(Map.of());
      SecretCipher cipher = c.secrets().requireCipher();
      PrintStream out = System.out;
      String key = "key '" + cipher.writeKeyId() + "'";
      SecretsRekey.Report r;
      try {
        r =
            new SecretsRekey(c.kafka(), c.topicCatalog(), cipher, Clock.systemUTC(), KAFKA_TIMEOUT)
                .run(dryRun, bound, progress(System.err));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        throw new IllegalStateException(
            "cannot reach Kafka at "
                + c.kafka().bootstrapServers()
                + " within "
                + KAFKA_TIMEOUT.toSeconds()
                + " s (is the broker up, and kafka.bootstrap-servers right?)");
      }
      String already = r.alreadyCurrent() + " of " + r.inTable() + " already sealed with " + key;
      if (dryRun) {
        out.printf(
            "dry run: %d endpoint%s would be re-encrypted with %s (%s); nothing was written%n",
            r.toRekey(), r.toRekey() == 1 ? "" : "s", key, already);
        return Main.OK;
      }
      if (r.toRekey() == 0) {
        out.printf("nothing to do: all %d endpoints are sealed with %s%n", r.inTable(), key);
        return Main.OK;
      }
      if (r.pending().isEmpty()) {
        out.printf(
            "re-encrypted %d endpoint%s with %s (%s before); every endpoint is sealed with it now%n",
            r.done(), r.done() == 1 ? "" : "s", key, already);
        return Main.OK;
      }
      StringBuilder why = new StringBuilder();
      r.lastSeenKey()
          .forEach(
              (id, seen) ->
                  why.append(why.isEmpty() ? "; " : ", ")
                      .append(id)
                      .append(" was last written with ")
                      .append(seen));
      throw new IllegalStateException(
          "re-encrypted "
              + r.done()
              + " of "
              + r.toRekey()
              + " within "
              + timeout
              + "; still waiting for "
              + String.join(", ", r.pending())
              + (r.toRekey() - r.done() > r.pending().size() ? " and more" : "")
              + why
              + ". Is every endpoint-state app (retry-scheduler, or endpoint-state) running with"
              + " secrets.encryption-key-id="
              + cipher.writeKeyId()
              + "? The rekeys sent are applied when it runs; run the same command again to"
              + " check");
    }

    /** Lines on standard error at every tenth of the way and at the end. */
    static SecretsRekey.Progress progress(PrintStream err) {
      int[] lastTenth = {-1};
      return (done, total) -> {
        int tenth = total == 0 ? 10 : (int) (10L * done / total);
        if (tenth != lastTenth[0] || done == total) {
          lastTenth[0] = tenth;
          err.printf("re-encrypted %d of %d%n", done, total);
        }
      };
    }
  }
}
