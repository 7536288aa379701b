package com.flintn.webhooks.bench;

import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Runs a value and its baseline in alternation after discarded warm-up runs of each, so neither
 * side is the one that pays for JIT compilation, a cold page cache or a noisy minute: pair 1 runs
 * value then baseline, pair 2 baseline then value, and so on. Each run is printed with its shape
 * where it has one ({@link RunShape}): a run that stalled for a second shows it.
 */
final class Paired {
  static final int MAX_WARMUPS = 4;
  static final double SETTLED = 0.10;

  private Paired() {}

  /** One run of one side; {@code tag} is unique per run, for topic prefixes and the like. */
  interface Measure {
    Measured run(String tag, boolean warmup) throws Exception;
  }

  /**
   * @param value the figure (deliveries/s and the like)
   * @param cpuMsPer1000 CPU time of the whole JVM per 1,000 deliveries, NaN if not measured
   * @param shape how the run's deliveries spread over its span, null where not counted
   */
  record Measured(double value, double cpuMsPer1000, @Nullable RunShape shape) {
    Measured(double value, double cpuMsPer1000) {
      this(value, cpuMsPer1000, null);
    }
  }

  static List<Result.Run> alternate(
      String id, int pairs, Measure value, Measure baseline, PrintStream out) throws Exception {
    List<Result.Run> runs = new ArrayList<>();
    warmUp(id, Result.Kind.VALUE, value, runs, out);
    warmUp(id, Result.Kind.BASELINE, baseline, runs, out);
    for (int i = 1; i <= pairs; i++) {
      boolean valueFirst = i % 2 == 1;
      String tag = String.valueOf(i);
      run(
          id,
          tag,
          false,
          valueFirst ? Result.Kind.VALUE : Result.Kind.BASELINE,
          valueFirst ? value : baseline,
          runs,
          out);
      run(
          id,
          tag,
          false,
          valueFirst ? Result.Kind.BASELINE : Result.Kind.VALUE,
          valueFirst ? baseline : value,
          runs,
          out);
    }
    return runs;
  }

  /**
   * Warm-up runs of one side until its figure stops rising by more than {@link #SETTLED} from one
   * run to the next, at most {@link #MAX_WARMUPS}: on two cores the JIT compiler goes on compiling
   * the Kafka, TLS and HTTP paths for a minute or more, and a side measured before that is measured
   * cold. The dispatcher has more code to compile than the baselines, so a fixed single warm-up
   * favoured them.
   */
  private static void warmUp(
      String id, Result.Kind kind, Measure m, List<Result.Run> runs, PrintStream out)
      throws Exception {
    double last = run(id, "w1", true, kind, m, runs, out);
    for (int i = 2; i <= MAX_WARMUPS; i++) {
      double now = run(id, "w" + i, true, kind, m, runs, out);
      if (now <= last * (1 + SETTLED)) {
        return;
      }
      last = now;
    }
  }

  /** The run's sparkline and, where a run is long enough to judge, its stalled share. */
  static String shape(RunShape shape) {
    double stalled = shape.stalledShare();
    return "|"
        + shape.sparkline()
        + "|"
        + (Double.isNaN(stalled)
            ? ""
            : String.format(Locale.ROOT, " stalled %.0f%%", 100 * stalled));
  }

  private static double run(
      String id,
      String tag,
      boolean warmup,
      Result.Kind kind,
      Measure m,
      List<Result.Run> runs,
      PrintStream out)
      throws Exception {
    double jit0 = compileMillis();
    Measured r = m.run(tag, warmup);
    double jitMs = compileMillis() - jit0;
    runs.add(
        new Result.Run(
            runs.size() + 1, kind, warmup, r.value(), r.cpuMsPer1000(), r.shape(), jitMs));
    String cpu =
        Double.isNaN(r.cpuMsPer1000())
            ? "-"
            : String.format(Locale.ROOT, "%.0f ms", r.cpuMsPer1000());
    String jit = Double.isNaN(jitMs) ? "" : String.format(Locale.ROOT, "jit %4.1f s", jitMs / 1000);
    RunShape shape = r.shape();
    out.printf(
        Locale.ROOT,
        "  %s %-9s %-8s %12.1f   cpu/1000 %-7s  %s%s%n",
        id,
        warmup ? "warm-up " + tag.substring(1) : "run " + tag,
        kind.name().toLowerCase(Locale.ROOT),
        r.value(),
        cpu,
        jit,
        shape == null ? "" : "  " + shape(shape));
    return r.value();
  }

  /**
   * Time the JIT compiler threads have spent compiling since the JVM started, NaN where the JVM
   * does not say.
   */
  static double compileMillis() {
    CompilationMXBean c = ManagementFactory.getCompilationMXBean();
    return c != null && c.isCompilationTimeMonitoringSupported()
        ? c.getTotalCompilationTime()
        : Double.NaN;
  }
}
