package com.flintn.webhooks.bench;

import java.util.Arrays;

/** Medians, spreads and percentiles of benchmark samples. */
final class Stats {
  private Stats() {}

  /** Median, smallest and largest of {@code n} samples; NaN throughout when there are none. */
  record Spread(double median, double min, double max, int n) {}

  static Spread spread(double[] samples) {
    if (samples.length == 0) {
      return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
    }
    double[] s = samples.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return new Spread(median, s[0], s[n - 1], n);
  }

  /** The nearest-rank percentile {@code p} (0-100) of {@code sorted}; NaN if it is empty. */
  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }
}
