package com.flintn.webhooks.launcher;

import com.flintn.webhooks.admin.dlq.DeadLetter;
import com.flintn.webhooks.admin.dlq.DlqFilter;
import com.flintn.webhooks.admin.dlq.DlqReader;
import com.flintn.webhooks.admin.dlq.DlqReplayer;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.endpoint.EndpointView;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Replays the selected dead letters: each goes to webhooks.deliveries.due as",
      "attempt 1 with a replayed-from header, and is signed and sent as usual.",
      "A dead letter is replayed once; again only with --allow-repeat. Endpoints",
      "that are not active are skipped: reactivate them first. Ctrl-C stops",
      "cleanly and reports what was sent."
    })
final class DlqReplayCommand implements Callable<Integer> {
  private static final Pattern RATE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(?:/s)?");

  @Mixin ConfigOption config;
  @Mixin DlqFilterOptions filters;

  @Option(
      names = "--dry-run",
      description = "Say how many would be replayed, show a sample, write nothing.")
  boolean dryRun;

  @Option(names = "--rate", paramLabel = "N/s", description = "At most N replays per second.")
  String rate;

  @Option(names = "--allow-repeat", description = "Replay dead letters that were replayed before.")
  boolean allowRepeat;

  @Option(
      names = "--sample",
      defaultValue = "5",
      paramLabel = "N",
      description = "How many to show on a dry run (default 5).")
  int sample;

  @Override
  public Integer call() throws Exception {
    Clock clock = Clock.systemUTC();
    DlqFilter filter = DlqCommand.filter(filters, clock);
    OptionalDouble perSecond = rate(rate);
    FlintnConfig c = config.load();
    c.secrets().requireCipher(); // the endpoints table is read to skip inactive endpoints
    PrintStream out = System.out;

    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.set(true);
              try {
                done.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(hook);
    try (EndpointView view = new EndpointView(c.kafka(), c.topicCatalog().endpoints())) {
      List<DeadLetter> selected = new ArrayList<>();
      DlqReader.Stats stats = DlqCommand.scan(c, filter, selected::add, stop::get);
      if (stop.get()) {
        out.println("stopped by Ctrl-C while reading; nothing was replayed");
        return Main.OK;
      }
      view.start();
      if (!view.awaitCaughtUp(DlqCommand.KAFKA_TIMEOUT)) {
        throw DlqCommand.unreachable(c);
      }
      var keyProblem = view.keyProblem();
      if (keyProblem.isPresent()) {
        throw keyProblem.get(); // their dead letters would be skipped as having no endpoint
      }
      DlqReplayer replayer = new DlqReplayer(c.kafka(), c.topicCatalog(), clock);
      Set<String> earlier;
      try {
        earlier = replayer.earlierReplays(DlqCommand.KAFKA_TIMEOUT);
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        throw DlqCommand.unreachable(c);
      }
      boolean terminal = ReplayProgress.isTerminal();
      DlqReplayer.Report r =
          replayer.replay(
              selected,
              view::get,
              earlier,
              new DlqReplayer.Options(dryRun, allowRepeat, perSecond),
              new ReplayProgress(System.err, terminal),
              stop::get);
      if (terminal && r.stopped()) {
        System.err.println(); // end the progress bar's line
      }
      report(out, c, stats, r, selected);
      return Main.OK;
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and now returns
      }
    }
  }

  private void report(
      PrintStream out,
      FlintnConfig c,
      DlqReader.Stats stats,
      DlqReplayer.Report r,
      List<DeadLetter> selected) {
    String due = c.topicCatalog().deliveriesDue().name();
    String skipped = skipped(r);
    if (dryRun) {
      out.printf(
          "dry run: %d of %d selected dead letter%s would be replayed to %s; nothing was written%n",
          r.sent(), r.selected(), r.selected() == 1 ? "" : "s", due);
      if (!skipped.isEmpty()) {
        out.println("skipped: " + skipped);
      }
      if (!selected.isEmpty() && sample > 0) {
        out.println("sample:");
        DlqListCommand.table(out, selected.subList(0, Math.min(sample, selected.size())));
      }
    } else if (r.stopped()) {
      out.printf(
          "stopped by Ctrl-C: %d of %d replayed to %s and committed; run the same command again"
              + (allowRepeat ? " without --allow-repeat" : "")
              + " to replay the rest (those already replayed are skipped)%n",
          r.sent(),
          r.selected() - r.skippedInactive() - r.skippedRepeat() - r.skippedUnknownEndpoint(),
          due);
    } else {
      out.printf(
          "replayed %d dead letter%s to %s (%d selected%s)%n",
          r.sent(),
          r.sent() == 1 ? "" : "s",
          due,
          r.selected(),
          skipped.isEmpty() ? "" : "; skipped " + skipped);
    }
    if (!r.inactiveEndpoints().isEmpty()) {
      out.println(
          "hint: reactivate "
              + String.join(", ", r.inactiveEndpoints())
              + " first (POST /v1/webhooks/{id}/reactivate or the dashboard), then run the same"
              + " replay again");
    }
    if (r.skippedRepeat() > 0 && !allowRepeat) {
      out.println("hint: --allow-repeat replays dead letters that were replayed before");
    }
    if (stats.unreadable() > 0) {
      out.println(
          stats.unreadable() + " unreadable record(s) in the dead-letter topic were skipped");
    }
  }

  private static String skipped(DlqReplayer.Report r) {
    List<String> parts = new ArrayList<>();
    if (r.skippedRepeat() > 0) {
      parts.add(r.skippedRepeat() + " already replayed");
    }
    if (r.skippedInactive() > 0) {
      parts.add(r.skippedInactive() + " for endpoints that are not active");
    }
    if (r.skippedUnknownEndpoint() > 0) {
      parts.add(r.skippedUnknownEndpoint() + " for endpoints that no longer exist");
    }
    return String.join(", ", parts);
  }

  static OptionalDouble rate(String text) {
    if (text == null) {
      return OptionalDouble.empty();
    }
    Matcher m = RATE.matcher(text.strip());
    double v = m.matches() ? Double.parseDouble(m.group(1)) : 0;
    if (v <= 0) {
      throw new Main.UsageException(
          "--rate must be a positive number per second such as 100/s, not '" + text + "'");
    }
    return OptionalDouble.of(v);
  }
}
