package com.flintn.webhooks.bench;

import java.util.Arrays;

/**
 * How a run's deliveries spread over its span: counts per slice of time from its first delivery,
 * drawn as a sparkline, and the share of the run that stalled. A figure such as deliveries/s says
 * nothing of a second in which the machine did something else; on two shared cores such seconds
 * come and go, and a pair of runs where one side met one is not evidence about the product. The
 * shape shows it next to the figure.
 */
final class RunShape {
  /** The narrowest slice drawn, and the most slices a line holds. */
  static final long MIN_SLICE_MILLIS = 250;

  static final int MAX_SLICES = 60;

  /** A slice below this share of the run's median slice counts as stalled. */
  static final double STALLED_BELOW = 0.5;

  /** A run needs this many whole slices for its stalls and median rate to mean anything. */
  private static final int MIN_WHOLE_SLICES = 4;

  private static final String LEVELS = "▁▂▃▄▅▆▇█";

  private final int[] counts;
  private final long sliceMillis;

  RunShape(int[] counts, long sliceMillis) {
    this.counts = counts.clone();
    this.sliceMillis = sliceMillis;
  }

  /** Deliveries per slice, from the slice of the first delivery to that of the last. */
  int[] counts() {
    return counts.clone();
  }

  long sliceMillis() {
    return sliceMillis;
  }

  /**
   * Regroups counts taken per {@code baseMillis} into slices of at least {@link #MIN_SLICE_MILLIS},
   * wide enough that at most {@link #MAX_SLICES} cover the run.
   */
  static RunShape of(int[] base, long baseMillis) {
    int per = (int) Math.max(1, (MIN_SLICE_MILLIS + baseMillis - 1) / baseMillis);
    while ((base.length + per - 1) / per > MAX_SLICES) {
      per *= 2;
    }
    int[] slices = new int[(base.length + per - 1) / per];
    for (int i = 0; i < base.length; i++) {
      slices[i / per] += base[i];
    }
    return new RunShape(slices, baseMillis * per);
  }

  /** One character per slice, its height the slice's count against the busiest slice's. */
  String sparkline() {
    int max = Arrays.stream(counts).max().orElse(0);
    StringBuilder b = new StringBuilder(counts.length);
    for (int c : counts) {
      if (max == 0 || c == 0) {
        b.append(' ');
      } else {
        int level = (int) Math.ceil((double) c * LEVELS.length() / max) - 1;
        b.append(LEVELS.charAt(Math.clamp(level, 0, LEVELS.length() - 1)));
      }
    }
    return b.toString();
  }

  /**
   * Deliveries per second in the run's median whole slice: its rate with its ramp, its tail and its
   * stalls left out. NaN when fewer than four whole slices are left to judge.
   */
  double medianRate() {
    int[] whole = wholeSlices();
    return whole.length < MIN_WHOLE_SLICES ? Double.NaN : median(whole) * 1000.0 / sliceMillis;
  }

  /**
   * The share of the run's steady part in slices that delivered less than {@link #STALLED_BELOW} of
   * the median slice. The steady part is the whole slices (the first and the last are partial) from
   * the first that reached that level: the ramp of a run's first half second is a start, not a
   * stall. NaN when fewer than four whole slices are left to judge.
   */
  double stalledShare() {
    int[] whole = wholeSlices();
    if (whole.length < MIN_WHOLE_SLICES) {
      return Double.NaN;
    }
    double floor = STALLED_BELOW * median(whole);
    int start = 0;
    while (start < whole.length && whole[start] < floor) {
      start++;
    }
    int[] steady = Arrays.copyOfRange(whole, start, whole.length);
    long stalled = Arrays.stream(steady).filter(c -> c < floor).count();
    return (double) stalled / steady.length;
  }

  /** The slices between the first and the last, which are partial. */
  private int[] wholeSlices() {
    return counts.length < 2 ? new int[0] : Arrays.copyOfRange(counts, 1, counts.length - 1);
  }

  private static double median(int[] values) {
    return Stats.spread(Arrays.stream(values).asDoubleStream().toArray()).median();
  }

  @Override
  public String toString() {
    return "RunShape[" + sliceMillis + " ms: " + Arrays.toString(counts) + "]";
  }
}
