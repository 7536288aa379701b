package com.flintn.webhooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** How {@link RunShape} slices a run, draws it and judges its stalls. */
class RunShapeTest {
  @Test
  void regroupsFiftyMillisecondCountsIntoQuarterSeconds() {
    int[] base = new int[12];
    Arrays.fill(base, 10);
    base[11] = 3;
    RunShape shape = RunShape.of(base, 50);
    assertThat(shape.sliceMillis()).isEqualTo(250);
    assertThat(shape.counts()).containsExactly(50, 50, 13);
  }

  @Test
  void widensItsSlicesSoThatALongRunFitsOneLine() {
    int[] base = new int[20 * 60]; // a minute in 50 ms counts
    Arrays.fill(base, 1);
    RunShape shape = RunShape.of(base, 50);
    assertThat(shape.counts().length).isLessThanOrEqualTo(RunShape.MAX_SLICES);
    assertThat(shape.sliceMillis()).isEqualTo(1000);
    assertThat(Arrays.stream(shape.counts()).sum()).isEqualTo(base.length);
  }

  @Test
  void drawsEachSliceAgainstTheBusiestAndAnEmptySliceAsBlank() {
    RunShape shape = new RunShape(new int[] {8, 1, 0, 4, 8}, 250);
    assertThat(shape.sparkline()).isEqualTo("█▁ ▄█");
  }

  @Test
  void aSteadyRunHasNoStallsAndADipIsCountedOutsideItsPartialEnds() {
    assertThat(new RunShape(new int[] {1, 40, 41, 39, 40, 42, 40, 2}, 250).stalledShare()).isZero();
    // whole slices 40 41 9 12 40 40: two of six under half the median (40)
    assertThat(new RunShape(new int[] {1, 40, 41, 9, 12, 40, 40, 2}, 250).stalledShare())
        .isEqualTo(2.0 / 6);
  }

  @Test
  void theRampAtTheStartIsNotAStall() {
    assertThat(new RunShape(new int[] {1, 5, 12, 40, 41, 39, 40, 2}, 250).stalledShare()).isZero();
    // a dip after the ramp counts, against the five slices from the end of the ramp
    assertThat(new RunShape(new int[] {1, 5, 40, 41, 12, 40, 40, 2}, 250).stalledShare())
        .isEqualTo(1.0 / 5);
  }

  @Test
  void itsMedianRateLeavesTheRampTheTailAndAStallOut() {
    // whole slices 10 40 41 9 40 42: median 40 per 250 ms
    assertThat(new RunShape(new int[] {1, 10, 40, 41, 9, 40, 42, 2}, 250).medianRate())
        .isEqualTo(160.0);
  }

  @Test
  void aRunTooShortToJudgeHasNoStalledShareOrMedianRate() {
    assertThat(new RunShape(new int[] {5, 40, 40, 40, 3}, 250).stalledShare()).isNaN();
    assertThat(new RunShape(new int[] {5, 40, 40, 40, 3}, 250).medianRate()).isNaN();
  }
}
