package com.flintn.webhooks.launcher;

import com.flintn.webhooks.admin.dlq.DeadLetter;
import com.flintn.webhooks.admin.dlq.DlqFilter;
import com.flintn.webhooks.admin.dlq.DlqReader;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.message.Printable;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description = {
      "Inspects and replays dead letters (webhooks.dlq).",
      "Filters: --endpoint, --account, --event-type, --reason, --since, --until.",
      "--since starts from the offsets Kafka finds for that time, not a full scan."
    },
    subcommands = {DlqListCommand.class, DlqReplayCommand.class})
final class DlqCommand implements Runnable {
  static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "say what to do: dlq list or dlq replay");
  }

  /** The filter of {@code options}; a bad value is a usage error (exit 2). */
  static DlqFilter filter(DlqFilterOptions options, Clock clock) {
    try {
      return options.toFilter(clock);
    } catch (IllegalArgumentException e) {
      throw new Main.UsageException(Printable.message(e));
    }
  }

  /** Scans the dead-letter topic; an unreachable broker is one line and exit 1. */
  static DlqReader.Stats scan(
      FlintnConfig c, DlqFilter filter, Consumer<DeadLetter> sink, BooleanSupplier stop) {
    try (DlqReader reader = new DlqReader(c.kafka(), c.topicCatalog().dlq(), KAFKA_TIMEOUT)) {
      return reader.scan(filter, sink, stop);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw unreachable(c);
    }
  }

  static IllegalStateException unreachable(FlintnConfig c) {
    return new IllegalStateException(
        "cannot read "
            + c.topicCatalog().dlq().name()
            + " from Kafka at "
            + c.kafka().bootstrapServers()
            + " within "
            + KAFKA_TIMEOUT.toSeconds()
            + " s (is the broker up, and kafka.bootstrap-servers right?)");
  }
}
