package com.flintn.webhooks.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.json.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs the benchmark scenarios on an embedded broker and local HTTPS sinks with the real
 * dispatcher, and prints each figure beside the baseline run in the same process: these machines
 * are shared and noisy, so ratios are what to compare between runs.
 */
public final class BenchApp {
  public static final Set<String> SCENARIOS = Set.of("P1", "P2", "P3", "P6");

  /** Sizes of a run; {@link #smoke()} is small enough for the test suite. */
  public record Sizes(int p1Events, int p2Events, Duration naiveFor, int p3Events) {
    public static Sizes full() {
      return new Sizes(100_000, 20_000, Duration.ofSeconds(10), 20_000);
    }

    public static Sizes smoke() {
      return new Sizes(600, 300, Duration.ofSeconds(1), 300);
    }
  }

  private BenchApp() {}

  /**
   * Runs {@code scenarios} (ids from {@link #SCENARIOS}), prints a table to {@code out} and writes
   * the results as JSON to {@code json}.
   */
  public static List<ObjectNode> run(
      List<String> scenarios, Sizes sizes, Path root, Path json, PrintStream out) throws Exception {
    List<Result> results = new ArrayList<>();
    List<String> inRig = scenarios.stream().filter(s -> !s.equals("P6")).toList();
    if (!inRig.isEmpty()) {
      try (Rig rig = Rig.start()) {
        Scenarios s = new Scenarios(rig);
        for (String id : inRig) {
          out.println("running " + id + " ...");
          results.add(
              switch (id) {
                case "P1" -> s.throughput(sizes.p1Events());
                case "P2" -> s.latencySinks(sizes.p2Events(), sizes.naiveFor());
                case "P3" -> s.isolation(sizes.p3Events());
                default -> throw new IllegalArgumentException("unknown scenario " + id);
              });
        }
      }
    }
    if (scenarios.contains("P6")) {
      out.println("running P6 ...");
      results.add(ColdStart.run(root));
    }
    table(out, results);
    List<ObjectNode> docs = results.stream().map(BenchApp::json).toList();
    ObjectNode doc = Json.mapper().createObjectNode();
    doc.put("at", Clock.systemUTC().instant().toString());
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("java", System.getProperty("java.version"));
    ArrayNode arr = doc.putArray("results");
    docs.forEach(arr::add);
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(json, doc.toPrettyString());
    out.println("results written to " + json);
    return docs;
  }

  private static void table(PrintStream out, List<Result> results) {
    out.println();
    out.printf(
        Locale.ROOT,
        "%-4s %-52s %12s %12s %8s %8s %10s  %s%n",
        "id",
        "scenario",
        "value",
        "baseline",
        "ratio",
        "met",
        "cpu/1000",
        "unit, target");
    for (Result r : results) {
      out.printf(
          Locale.ROOT,
          "%-4s %-52s %12.1f %12s %8s %8s %10s  %s, %s%s%n",
          r.id(),
          r.scenario(),
          r.value(),
          Double.isNaN(r.baseline()) ? "-" : String.format(Locale.ROOT, "%.1f", r.baseline()),
          Double.isNaN(r.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio()),
          r.met() ? "yes" : "NO",
          Double.isNaN(r.cpuMsPer1000())
              ? "-"
              : String.format(Locale.ROOT, "%.0f ms", r.cpuMsPer1000()),
          r.unit(),
          r.target(),
          r.note().isEmpty() ? "" : " (" + r.note() + ")");
    }
  }

  private static ObjectNode json(Result r) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("id", r.id());
    o.put("scenario", r.scenario());
    o.put("unit", r.unit());
    o.put("value", r.value());
    if (!Double.isNaN(r.baseline())) {
      o.put("baseline", r.baseline());
      o.put("ratio", r.ratio());
    }
    o.put("baseline_name", r.baselineName());
    o.put("target", r.target());
    o.put("met", r.met());
    if (!Double.isNaN(r.cpuMsPer1000())) {
      o.put("cpu_ms_per_1000_deliveries", r.cpuMsPer1000());
    }
    o.put("note", r.note());
    return o;
  }
}
