package com.flintn.webhooks.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One scenario's figures: every run in the order it ran (warm-ups included, flagged, never
 * counted), the target and whether it holds. Where a baseline ran in the same process, value and
 * baseline runs alternate and the ratio is the ratio of their medians.
 *
 * @param details further figures of the scenario (percentiles, counts, load), written to the JSON
 */
record Result(
    String id,
    String scenario,
    String unit,
    List<Run> runs,
    String baselineName,
    String target,
    boolean met,
    String note,
    Map<String, Object> details) {

  /** What a run measured: the product, or the baseline it is compared with. */
  enum Kind {
    VALUE,
    BASELINE
  }

  /**
   * One run.
   *
   * @param order position in the scenario's sequence of runs, from 1
   * @param warmup a discarded run before the measured ones
   * @param cpuMsPer1000 CPU time of the whole JVM per 1,000 deliveries (or moves), NaN if not
   *     measured
   * @param shape how its deliveries spread over its span, null where not counted
   * @param jitMs time the JIT compiler spent compiling during the run, set-up included, NaN if not
   *     measured: a side measured while its code is still being compiled is measured cold
   */
  record Run(
      int order,
      Kind kind,
      boolean warmup,
      double value,
      double cpuMsPer1000,
      @Nullable RunShape shape,
      double jitMs) {
    Run(int order, Kind kind, boolean warmup, double value, double cpuMsPer1000) {
      this(order, kind, warmup, value, cpuMsPer1000, null, Double.NaN);
    }
  }

  Result {
    runs = List.copyOf(runs);
    details = new LinkedHashMap<>(details);
  }

  /** A scenario without a baseline: one measured value. */
  static Result single(
      String id,
      String scenario,
      String unit,
      double value,
      double cpuMsPer1000,
      String target,
      boolean met,
      String note,
      Map<String, Object> details) {
    return new Result(
        id,
        scenario,
        unit,
        List.of(new Run(1, Kind.VALUE, false, value, cpuMsPer1000)),
        "-",
        target,
        met,
        note,
        details);
  }

  /** This result judged against its target: {@code met}, with {@code note} for the table. */
  Result withMet(boolean met, String note) {
    return new Result(id, scenario, unit, runs, baselineName, target, met, note, details);
  }

  Stats.Spread values() {
    return Stats.spread(measured(Kind.VALUE).stream().mapToDouble(Run::value).toArray());
  }

  Stats.Spread baselines() {
    return Stats.spread(measured(Kind.BASELINE).stream().mapToDouble(Run::value).toArray());
  }

  boolean hasBaseline() {
    return !measured(Kind.BASELINE).isEmpty();
  }

  /** Median of the values over median of the baselines; NaN without a baseline. */
  double ratio() {
    return hasBaseline() ? values().median() / baselines().median() : Double.NaN;
  }

  /** Median CPU per 1,000 deliveries over the measured value runs; NaN if not measured. */
  double cpuMsPer1000() {
    return Stats.spread(
            measured(Kind.VALUE).stream()
                .mapToDouble(Run::cpuMsPer1000)
                .filter(d -> !Double.isNaN(d))
                .toArray())
        .median();
  }

  List<Run> measured(Kind kind) {
    return runs.stream().filter(r -> !r.warmup() && r.kind() == kind).toList();
  }
}
