package com.flintn.webhooks.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.json.Json;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Runs the benchmark scenarios on an embedded broker and local HTTPS sinks with the real dispatcher
 * and retry scheduler. Scenarios with a baseline alternate value and baseline runs after a
 * discarded warm-up of each, and report the median and spread of each side and the ratio of the
 * medians: these machines are shared and noisy, so ratios are what to compare between runs.
 */
public final class BenchApp {
  public static final List<String> SCENARIOS =
      List.of("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9");

  /**
   * Sizes of a run; {@link #smoke()} is small enough for the test suite.
   *
   * @param p1WaitsForCompiler whether P1's warm-ups go on until the JIT compiler is nearly done
   *     ({@link Paired.WarmUp#COMPILED}); a smoke run's runs are too short for that to settle, and
   *     it proves the harness, not the speed
   */
  public record Sizes(
      int pairs,
      int p1Events,
      boolean p1WaitsForCompiler,
      int p2Events,
      Duration naiveFor,
      int p3Events,
      int p4PerSecond,
      int p4Burst,
      Duration p4Warmup,
      Duration p4Measure,
      int p5Pending,
      int p5PerSecond,
      Duration p5Window,
      Duration p7Delay,
      Duration p7LongDelay,
      int p7Burst,
      int p7PerSecond,
      Duration p7Warmup,
      Duration p7Window,
      int p8Events,
      int p9Attempts,
      int p9Lookups) {
    public static Sizes full() {
      return new Sizes(
          3,
          300_000,
          true,
          20_000,
          Duration.ofSeconds(10),
          60_000,
          1_000,
          30_000,
          Duration.ofSeconds(60),
          Duration.ofSeconds(60),
          1_000_000,
          1_000,
          Duration.ofSeconds(60),
          Duration.ofSeconds(1),
          Duration.ofSeconds(25),
          5_000,
          50,
          Duration.ofSeconds(10),
          Duration.ofSeconds(90),
          240_000,
          1_000_000,
          1_000);
    }

    public static Sizes smoke() {
      return new Sizes(
          2,
          600,
          false,
          300,
          Duration.ofSeconds(1),
          300,
          200,
          200,
          Duration.ofSeconds(1),
          Duration.ofSeconds(2),
          2_000,
          200,
          Duration.ofSeconds(3),
          // More than a quarter of the partition window (250), so some of it overflows
          Duration.ofMillis(200),
          Duration.ofSeconds(2),
          300,
          50,
          Duration.ofSeconds(1),
          Duration.ofSeconds(3),
          600,
          20_000,
          100);
    }

    /** These sizes with {@code n} value/baseline pairs. */
    public Sizes withPairs(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("pairs must be at least 1, got " + n);
      }
      return new Sizes(
          n,
          p1Events,
          p1WaitsForCompiler,
          p2Events,
          naiveFor,
          p3Events,
          p4PerSecond,
          p4Burst,
          p4Warmup,
          p4Measure,
          p5Pending,
          p5PerSecond,
          p5Window,
          p7Delay,
          p7LongDelay,
          p7Burst,
          p7PerSecond,
          p7Warmup,
          p7Window,
          p8Events,
          p9Attempts,
          p9Lookups);
    }
  }

  private BenchApp() {}

  /**
   * Runs {@code scenarios} (ids from {@link #SCENARIOS}), prints a table to {@code out} and writes
   * the results, every run included, as JSON to {@code json}.
   */
  public static List<ObjectNode> run(
      List<String> scenarios, Sizes sizes, Path root, Path json, PrintStream out) throws Exception {
    List<Result> results = new ArrayList<>();
    // P7 is two runs, each its own result: the slow endpoint at p7Delay, drained, and at
    // p7LongDelay, which would take hours to drain and is not waited for.
    List<String> inRig =
        scenarios.stream()
            .filter(s -> !s.equals("P6"))
            .flatMap(s -> s.equals("P7") ? Stream.of("P7a", "P7b") : Stream.of(s))
            .toList();
    if (!inRig.isEmpty()) {
      try (Rig rig = Rig.start()) {
        Scenarios s = new Scenarios(rig, out);
        for (String id : inRig) {
          out.println("running " + id + " ...");
          double loadBefore = loadAverage();
          Result r =
              switch (id) {
                case "P1" ->
                    s.throughput(
                        sizes.p1Events(),
                        sizes.pairs(),
                        sizes.p1WaitsForCompiler() ? Paired.WarmUp.COMPILED : Paired.WarmUp.FIGURE);
                case "P2" -> s.latencySinks(sizes.p2Events(), sizes.naiveFor(), sizes.pairs());
                case "P3" -> s.isolation(sizes.p3Events(), sizes.pairs());
                case "P4" ->
                    new Steady(rig, out)
                        .run(
                            sizes.p4PerSecond(),
                            sizes.p4Burst(),
                            sizes.p4Warmup(),
                            sizes.p4Measure());
                case "P5" ->
                    new RetryBacklog(rig, out)
                        .run(sizes.p5Pending(), sizes.p5PerSecond(), sizes.p5Window());
                case "P7a", "P7b" ->
                    new SlowTenant(rig, out)
                        .run(
                            id,
                            id.equals("P7a") ? sizes.p7Delay() : sizes.p7LongDelay(),
                            sizes.p7Burst(),
                            sizes.p7PerSecond(),
                            sizes.p7Warmup(),
                            sizes.p7Window(),
                            id.equals("P7a"));
                case "P8" -> new WholeSystem(rig, out).run(sizes.p8Events(), sizes.pairs());
                case "P9" ->
                    new DeliveryLookup(rig, out)
                        .run(sizes.p9Attempts(), sizes.p9Lookups(), sizes.pairs());
                default -> throw new IllegalArgumentException("unknown scenario " + id);
              };
          r.details().put("load_average_1m_before", loadBefore);
          r.details().put("load_average_1m_after", loadAverage());
          results.add(r);
        }
      }
    }
    if (scenarios.contains("P6")) {
      out.println("running P6 ...");
      double loadBefore = loadAverage();
      Result r = ColdStart.run(root);
      r.details().put("load_average_1m_before", loadBefore);
      r.details().put("load_average_1m_after", loadAverage());
      results.add(r);
    }
    // P6 runs last, outside the rig; the table and the JSON list the scenarios in order of id.
    results.sort(Comparator.comparing(Result::id));
    table(out, results);
    List<ObjectNode> docs = results.stream().map(BenchApp::json).toList();
    ObjectNode doc = Json.mapper().createObjectNode();
    doc.put("at", Clock.systemUTC().instant().toString());
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("java", System.getProperty("java.version"));
    doc.put("pairs", sizes.pairs());
    ArrayNode arr = doc.putArray("results");
    docs.forEach(arr::add);
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(json, doc.toPrettyString());
    out.println("results written to " + json);
    return docs;
  }

  /** The system's load average over the last minute; NaN where the platform has none. */
  static double loadAverage() {
    double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return l < 0 ? Double.NaN : l;
  }

  private static String spread(Stats.Spread s) {
    if (s.n() == 0) {
      return "-";
    }
    if (s.n() == 1) {
      return String.format(Locale.ROOT, "%.1f", s.median());
    }
    return String.format(Locale.ROOT, "%.1f [%.1f-%.1f]", s.median(), s.min(), s.max());
  }

  private static void table(PrintStream out, List<Result> results) {
    out.println();
    out.printf(
        Locale.ROOT,
        "%-4s %-26s %-26s %8s %4s %9s  %s%n",
        "id",
        "value: median [min-max]",
        "baseline: median [min-max]",
        "ratio",
        "met",
        "cpu/1000",
        "unit, target");
    for (Result r : results) {
      out.printf(
          Locale.ROOT,
          "%-4s %-26s %-26s %8s %4s %9s  %s, %s%n",
          r.id(),
          spread(r.values()),
          spread(r.baselines()),
          Double.isNaN(r.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio()),
          r.met() ? "yes" : "NO",
          Double.isNaN(r.cpuMsPer1000())
              ? "-"
              : String.format(Locale.ROOT, "%.0f ms", r.cpuMsPer1000()),
          r.unit(),
          r.target());
      out.printf(
          Locale.ROOT,
          "     %s%s; load %.1f -> %.1f%n",
          r.scenario(),
          r.note().isEmpty() ? "" : " (" + r.note() + ")",
          (Double) r.details().getOrDefault("load_average_1m_before", Double.NaN),
          (Double) r.details().getOrDefault("load_average_1m_after", Double.NaN));
    }
  }

  private static ObjectNode json(Result r) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("id", r.id());
    o.put("scenario", r.scenario());
    o.put("unit", r.unit());
    put(o.putObject("value"), r.values());
    if (r.hasBaseline()) {
      put(o.putObject("baseline"), r.baselines());
      o.put("ratio_of_medians", r.ratio());
    }
    o.put("baseline_name", r.baselineName());
    o.put("target", r.target());
    o.put("met", r.met());
    if (!Double.isNaN(r.cpuMsPer1000())) {
      o.put("cpu_ms_per_1000_deliveries", r.cpuMsPer1000());
    }
    o.put("note", r.note());
    ArrayNode runs = o.putArray("runs");
    for (Result.Run run : r.runs()) {
      ObjectNode x = runs.addObject();
      x.put("order", run.order());
      x.put("kind", run.kind().name().toLowerCase(Locale.ROOT));
      x.put("warmup", run.warmup());
      x.put("value", run.value());
      if (!Double.isNaN(run.cpuMsPer1000())) {
        x.put("cpu_ms_per_1000_deliveries", run.cpuMsPer1000());
      }
      if (!Double.isNaN(run.jitMs())) {
        x.put("jit_ms", run.jitMs());
      }
      RunShape shape = run.shape();
      if (shape != null) {
        ObjectNode sh = x.putObject("shape");
        sh.put("slice_ms", shape.sliceMillis());
        ArrayNode counts = sh.putArray("deliveries_per_slice");
        for (int c : shape.counts()) {
          counts.add(c);
        }
        if (!Double.isNaN(shape.stalledShare())) {
          sh.put("stalled_share", shape.stalledShare());
        }
      }
    }
    o.set("details", Json.mapper().valueToTree(r.details()));
    return o;
  }

  private static void put(ObjectNode o, Stats.Spread s) {
    o.put("median", s.median());
    o.put("min", s.min());
    o.put("max", s.max());
    o.put("runs", s.n());
  }
}
