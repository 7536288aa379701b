package com.flintn.webhooks.bench;

/**
 * One scenario's figures. {@code ratio} is value / baseline where a baseline ran in the same
 * process; {@code met} says whether the target holds.
 */
record Result(
    String id,
    String scenario,
    String unit,
    double value,
    double baseline,
    String baselineName,
    String target,
    boolean met,
    double cpuMsPer1000,
    String note) {

  double ratio() {
    return baseline > 0 ? value / baseline : Double.NaN;
  }
}
