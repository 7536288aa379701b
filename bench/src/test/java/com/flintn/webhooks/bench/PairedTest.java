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
    assertThat(tags).filteredOn(t -> t.startsWith("v:w")).hasSize(Paired.MAX_WARMUPS);
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

  private static Paired.Measure figures(List<String> tags, String side, double... values) {
    Iterator<Double> it = Arrays.stream(values).boxed().iterator();
    return (tag, warmup) -> {
      tags.add(side + ":" + tag);
      return new Paired.Measured(it.next(), 1);
    };
  }
}
