package com.flintn.webhooks.launcher;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.admin.dlq.DeadLetter;
import com.flintn.webhooks.admin.dlq.DlqFilter;
import com.flintn.webhooks.admin.dlq.DlqReader;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.json.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "Lists dead letters: a table (or JSON for scripts) and a count at the end.")
final class DlqListCommand implements Callable<Integer> {
  enum Format {
    table,
    json
  }

  @Mixin ConfigOption config;
  @Mixin DlqFilterOptions filters;

  @Option(names = "--format", defaultValue = "table", description = "table (default) or json.")
  Format format;

  @Option(
      names = "--limit",
      defaultValue = "500",
      paramLabel = "N",
      description = "Show at most N (default 500); the count covers all that match.")
  int limit;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new Main.UsageException("--limit must be at least 1");
    }
    Clock clock = Clock.systemUTC();
    DlqFilter filter = DlqCommand.filter(filters, clock);
    FlintnConfig c = config.load();
    List<DeadLetter> shown = new ArrayList<>();
    DlqReader.Stats stats =
        DlqCommand.scan(
            c,
            filter,
            d -> {
              if (shown.size() < limit) {
                shown.add(d);
              }
            },
            () -> false);
    PrintStream out = System.out;
    if (format == Format.json) {
      ObjectNode doc = Json.mapper().createObjectNode();
      ArrayNode items = doc.putArray("dead_letters");
      shown.forEach(d -> items.add(json(d)));
      doc.put("count", stats.matched());
      doc.put("shown", shown.size());
      doc.put("records_read", stats.recordsRead());
      doc.put("unreadable", stats.unreadable());
      out.println(doc.toPrettyString());
    } else {
      table(out, shown);
      out.printf(
          "%d dead letter%s%s (%d record%s read from %s%s)%n",
          stats.matched(),
          stats.matched() == 1 ? "" : "s",
          shown.size() < stats.matched() ? ", " + shown.size() + " shown (see --limit)" : "",
          stats.recordsRead(),
          stats.recordsRead() == 1 ? "" : "s",
          c.topicCatalog().dlq().name(),
          stats.unreadable() > 0 ? ", " + stats.unreadable() + " unreadable skipped" : "");
    }
    return Main.OK;
  }

  static ObjectNode json(DeadLetter d) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("dead_lettered_at", d.at().toString());
    o.put("endpoint_id", d.endpointId().value());
    o.put("account_id", d.accountId().value());
    o.put("event_id", d.delivery().event().eventId().value());
    o.put("event_type", d.eventType());
    o.put("reason", d.reason());
    o.put("attempts", d.attempts());
    o.put("last_status", d.lastOutcome());
    o.put("position", d.position());
    return o;
  }

  static void table(PrintStream out, List<DeadLetter> rows) {
    String[] head = {
      "TIME (UTC)", "ENDPOINT", "EVENT TYPE", "REASON", "ATTEMPTS", "LAST STATUS", "EVENT ID"
    };
    List<String[]> cells = new ArrayList<>();
    cells.add(head);
    for (DeadLetter d : rows) {
      cells.add(
          new String[] {
            d.at().truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ').replace("Z", ""),
            d.endpointId().value(),
            d.eventType(),
            String.valueOf(d.reason()),
            String.valueOf(d.attempts()),
            String.valueOf(d.lastOutcome()),
            d.delivery().event().eventId().value()
          });
    }
    int[] width = new int[head.length];
    for (String[] row : cells) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : cells) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        b.append(i == 0 ? "" : "  ");
        b.append(i == row.length - 1 ? row[i] : String.format("%-" + width[i] + "s", row[i]));
      }
      out.println(b.toString().stripTrailing());
    }
  }
}
