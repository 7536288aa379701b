package com.flintn.webhooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order of runs and the warm-up rule of {@link Paired}, with figures given in advance. */
class PairedTest {
  private final PrintStream out =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @Test
  void warmsUpUntilTheFigureStopsRisingThenAlternates() throws Exception {
    List<String> tags = new ArrayList<>();
    List<Result.Run> runs =
        Paired.alternate(
            "PX",
            2,
            figures(tags, "v", 100, 300, 320, /* pairs */ 330, 340),
            figures(tags, "b", 500, 520, /* pairs */ 510, 530),
            out);
    // value: 100 -> 300 rose by more than 10%, 300 -> 320 did not; baseline settled at once
    assertThat(tags)
        .containsExactly("v:w1", "v:w2", "v:w3", "b:w1", "b:w2", "v:1", "b:1", "b:2", "v:2");
    assertThat(runs).filteredOn(Result.Run::warmup).hasSize(5);
    assertThat(runs)
        .filteredOn(r -> !r.warmup())
        .extracting(Result.Run::value)
        .containsExactly(330.0, 510.0, 530.0, 340.0);
  }

  @Test
  void stopsWarmingUpAfterTheMaximumEvenIfStillRising() throws Exception {
    List<String> tags = new ArrayList<>();
    Paired.alternate(
        "PX",
        1,
        figures(tags, "v", 1, 2, 4, 8, 16, /* pair */ 32),
        figures(tags, "b", 1, 1, /* pair */ 1),
        out);
    assertThat(tags).filteredOn(t -> t.startsWith("v:w")).hasSize(4);
  }

  @Test
  void withTheCompiledRuleASideWarmsUpUntilTheCompilerHasAlmostNothingLeftToDo() throws Exception {
    List<String> tags = new ArrayList<>();
    // every run lasts 10 s on 2 cores: 20 s of the machine, so 1 s of compiling is 5%
    FakeClocks clocks = new FakeClocks(10_000, 2);
    Paired.alternate(
        "PX",
        1,
        Paired.WarmUp.COMPILED,
        compiling(
            tags,
            clocks,
            "v",
            new double[] {100, 100, 100, 100, 100},
            8_000,
            4_000,
            1_500,
            1_000, /* pair */
            900),
        compiling(tags, clocks, "b", new double[] {100, 100, 100}, 2_000, 500, /* pair */ 500),
        out,
        clocks);
    // the value's figure settled at once, but its compiler took 20%, then 7.5%, then 5%
    assertThat(tags).containsExactly("v:w1", "v:w2", "v:w3", "v:w4", "b:w1", "b:w2", "v:1", "b:1");
  }

  @Test
  void theFigureRuleIgnoresTheCompiler() throws Exception {
    List<String> tags = new ArrayList<>();
    FakeClocks clocks = new FakeClocks(10_000, 2);
    Paired.alternate(
        "PX",
        1,
        Paired.WarmUp.FIGURE,
        compiling(tags, clocks, "v", new double[] {100, 100, 100}, 8_000, 8_000, 8_000),
        compiling(tags, clocks, "b", new double[] {100, 100, 100}, 8_000, 8_000, 8_000),
        out,
        clocks);
    assertThat(tags).containsExactly("v:w1", "v:w2", "b:w1", "b:w2", "v:1", "b:1");
  }

  @Test
  void aCompiledSideStillStopsAtTheMaximum() throws Exception {
    List<String> tags = new ArrayList<>();
    FakeClocks clocks = new FakeClocks(10_000, 2);
    double[] compiling = new double[Paired.WarmUp.COMPILED.maxRuns() + 1];
    Arrays.fill(compiling, 5_000);
    double[] figures = new double[compiling.length];
    Arrays.fill(figures, 100);
    Paired.alternate(
        "PX",
        1,
        Paired.WarmUp.COMPILED,
        compiling(tags, clocks, "v", figures, compiling),
        compiling(tags, clocks, "b", new double[] {100, 100, 100}, 0, 0, 0),
        out,
        clocks);
    assertThat(tags).filteredOn(t -> t.startsWith("v:w")).hasSize(8);
  }

  @Test
  void whereTheJvmDoesNotSayTheCompilerHoldsNoSideBack() throws Exception {
    List<String> tags = new ArrayList<>();
    FakeClocks clocks = new FakeClocks(10_000, 2);
    clocks.compiled = Double.NaN;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Paired.alternate(
        "PX",
        1,
        Paired.WarmUp.COMPILED,
        compiling(tags, clocks, "v", new double[] {100, 100, 100}, 0, 0, 0),
        compiling(tags, clocks, "b", new double[] {100, 100, 100}, 0, 0, 0),
        new PrintStream(printed, true, StandardCharsets.UTF_8),
        clocks);
    assertThat(tags).containsExactly("v:w1", "v:w2", "b:w1", "b:w2", "v:1", "b:1");
    assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain("jit");
  }

  @Test
  void everyRunPrintsTheCompilersShareOfTheCores() throws Exception {
    FakeClocks clocks = new FakeClocks(10_000, 2);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Paired.alternate(
        "PX",
        1,
        Paired.WarmUp.FIGURE,
        compiling(
            new ArrayList<>(), clocks, "v", new double[] {100, 100, 100}, 1_300, 1_300, 1_300),
        compiling(new ArrayList<>(), clocks, "b", new double[] {100, 100, 100}, 400, 400, 400),
        new PrintStream(printed, true, StandardCharsets.UTF_8),
        clocks);
    // 1.3 s of 20 s of the machine, and 0.4 s
    assertThat(printed.toString(StandardCharsets.UTF_8).lines())
        .filteredOn(l -> l.contains("value"))
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).contains("jit  1.3 s  7%"));
    assertThat(printed.toString(StandardCharsets.UTF_8).lines())
        .filteredOn(l -> l.contains("baseline"))
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).contains("jit  0.4 s  2%"));
  }

  @Test
  void everyRunSaysHowLongTheJitCompilerWorkedDuringIt() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    List<Result.Run> runs =
        Paired.alternate(
            "PX",
            1,
            figures(new ArrayList<>(), "v", 1, 1, 1),
            figures(new ArrayList<>(), "b", 1, 1, 1),
            new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertThat(runs).allSatisfy(r -> assertThat(r.jitMs()).isNotNaN().isNotNegative());
    assertThat(printed.toString(StandardCharsets.UTF_8).lines())
        .hasSize(runs.size())
        .allSatisfy(line -> assertThat(line).containsPattern("jit +\\d+\\.\\d s"));
  }

  /** Runs that each take the fake clocks' run time and compile for the given milliseconds. */
  private static Paired.Measure compiling(
      List<String> tags, FakeClocks clocks, String side, double[] values, double... compileMs) {
    Iterator<Double> v = Arrays.stream(values).boxed().iterator();
    Iterator<Double> c = Arrays.stream(compileMs).boxed().iterator();
    return (tag, warmup) -> {
      tags.add(side + ":" + tag);
      clocks.compiled += c.next();
      clocks.nanos += clocks.runMillis * 1_000_000L;
      return new Paired.Measured(v.next(), 1);
    };
  }

  /** Clocks that move only when a run says so. */
  private static final class FakeClocks implements Paired.Clocks {
    private final long runMillis;
    private final int cores;
    double compiled;
    long nanos;

    FakeClocks(long runMillis, int cores) {
      this.runMillis = runMillis;
      this.cores = cores;
    }

    @Override
    public double compileMillis() {
      return compiled;
    }

    @Override
    public long nanoTime() {
      return nanos;
    }

    @Override
    public int cores() {
      return cores;
    }
  }

  private static Paired.Measure figures(List<String> tags, String side, double... values) {
    Iterator<Double> it = Arrays.stream(values).boxed().iterator();
    return (tag, warmup) -> {
      tags.add(side + ":" + tag);
      return new Paired.Measured(it.next(), 1);
    };
  }
}
