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
 * where it has one ({@link RunShape}) and with the JIT compiler's time during it: a run that
 * stalled for a second, or that was still being compiled, shows it.
 */
final class Paired {
  static final double SETTLED = 0.10;

  private Paired() {}

  /**
   * When a side is warm. It gets at most {@code maxRuns} warm-up runs, and from the second on a
   * warm-up ends them when its figure rose by at most {@link #SETTLED} over the one before and the
   * JIT compiler worked at most {@code compilerShare} of the machine's cores during it (infinite:
   * any). The share is the compiler's own count of its time over the run's wall time on every core,
   * so on a busy machine it is approximate.
   *
   * <p>{@link #FIGURE} looks at the figure alone. {@link #COMPILED} waits for the compiler too, for
   * a scenario whose two sides run different code at full CPU in one JVM: there the side with more
   * code (the broker, the Kafka clients and the dispatcher, against a bare HTTP client) goes on
   * compiling for several warm-ups after its figure has stopped rising, and compiling takes CPU
   * from its deliveries alone.
   */
  record WarmUp(int maxRuns, double compilerShare) {
    static final WarmUp FIGURE = new WarmUp(4, Double.POSITIVE_INFINITY);
    static final WarmUp COMPILED = new WarmUp(8, 0.05);
  }

  /** Where a run's compiler time and wall time come from; {@link #JVM} outside tests. */
  interface Clocks {
    /** Time the JIT compiler threads have spent compiling, NaN where the JVM does not say. */
    double compileMillis();

    long nanoTime();

    int cores();

    Clocks JVM =
        new Clocks() {
          @Override
          public double compileMillis() {
            return Paired.compileMillis();
          }

          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public int cores() {
            return Runtime.getRuntime().availableProcessors();
          }
        };
  }

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
    return alternate(id, pairs, WarmUp.FIGURE, value, baseline, out, Clocks.JVM);
  }

  static List<Result.Run> alternate(
      String id,
      int pairs,
      WarmUp warmUp,
      Measure value,
      Measure baseline,
      PrintStream out,
      Clocks clocks)
      throws Exception {
    Runner runner = new Runner(id, out, clocks);
    runner.warmUp(Result.Kind.VALUE, value, warmUp);
    runner.warmUp(Result.Kind.BASELINE, baseline, warmUp);
    for (int i = 1; i <= pairs; i++) {
      boolean valueFirst = i % 2 == 1;
      String tag = String.valueOf(i);
      runner.run(
          tag,
          false,
          valueFirst ? Result.Kind.VALUE : Result.Kind.BASELINE,
          valueFirst ? value : baseline);
      runner.run(
          tag,
          false,
          valueFirst ? Result.Kind.BASELINE : Result.Kind.VALUE,
          valueFirst ? baseline : value);
    }
    return runner.runs;
  }

  /** The runs of one scenario, in order. */
  private static final class Runner {
    private final String id;
    private final PrintStream out;
    private final Clocks clocks;
    private final List<Result.Run> runs = new ArrayList<>();

    Runner(String id, PrintStream out, Clocks clocks) {
      this.id = id;
      this.out = out;
      this.clocks = clocks;
    }

    /**
     * Warm-up runs of one side until {@code rule} says it is warm: on two cores the JIT compiler
     * goes on compiling the Kafka, TLS and HTTP paths for a minute or more, and a side measured
     * before that is measured cold. The dispatcher has more code to compile than the baselines, so
     * a fixed single warm-up favoured them.
     */
    void warmUp(Result.Kind kind, Measure m, WarmUp rule) throws Exception {
      Timed last = run("w1", true, kind, m);
      for (int i = 2; i <= rule.maxRuns(); i++) {
        Timed now = run("w" + i, true, kind, m);
        boolean figureSettled = now.run.value() <= last.run.value() * (1 + SETTLED);
        // where the JVM does not say, the compiler cannot hold a side back
        boolean compilerSettled = !(now.compilerShare() > rule.compilerShare());
        if (figureSettled && compilerSettled) {
          return;
        }
        last = now;
      }
    }

    Timed run(String tag, boolean warmup, Result.Kind kind, Measure m) throws Exception {
      double jit0 = clocks.compileMillis();
      long t0 = clocks.nanoTime();
      Measured r = m.run(tag, warmup);
      double jitMs = clocks.compileMillis() - jit0;
      Timed timed =
          new Timed(
              new Result.Run(
                  runs.size() + 1, kind, warmup, r.value(), r.cpuMsPer1000(), r.shape(), jitMs),
              (clocks.nanoTime() - t0) / 1e6,
              clocks.cores());
      runs.add(timed.run);
      String cpu =
          Double.isNaN(r.cpuMsPer1000())
              ? "-"
              : String.format(Locale.ROOT, "%.0f ms", r.cpuMsPer1000());
      double share = timed.compilerShare();
      String jit =
          Double.isNaN(jitMs)
              ? ""
              : String.format(
                  Locale.ROOT,
                  "jit %4.1f s%s",
                  jitMs / 1000,
                  Double.isNaN(share) ? "" : String.format(Locale.ROOT, " %2.0f%%", 100 * share));
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
      return timed;
    }
  }

  /** A run with how long it took, for the share of the machine its compiling took. */
  private record Timed(Result.Run run, double wallMs, int cores) {
    /** The compiler's time over the run's wall time on every core; NaN where either is unknown. */
    double compilerShare() {
      return wallMs > 0 ? run.jitMs() / (wallMs * cores) : Double.NaN;
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
