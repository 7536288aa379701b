package com.flintn.webhooks.launcher;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, for checking dashboards and alerts against a scrape.
 */
final class PromQl {
  private static final Set<String> NOT_METRICS =
      Set.of(
          "sum",
          "min",
          "max",
          "avg",
          "count",
          "stddev",
          "stdvar",
          "topk",
          "bottomk",
          "quantile",
          "count_values",
          "group",
          "rate",
          "irate",
          "increase",
          "delta",
          "idelta",
          "deriv",
          "histogram_quantile",
          "abs",
          "absent",
          "absent_over_time",
          "ceil",
          "floor",
          "round",
          "clamp",
          "clamp_min",
          "clamp_max",
          "vector",
          "scalar",
          "time",
          "timestamp",
          "sort",
          "sort_desc",
          "label_replace",
          "label_join",
          "avg_over_time",
          "max_over_time",
          "min_over_time",
          "sum_over_time",
          "count_over_time",
          "last_over_time",
          "changes",
          "resets",
          "predict_linear",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "inf",
          "nan",
          "le");
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private PromQl() {}

  static Set<String> metricNames(String expr) {
    String e =
        expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"") // strings
            .replaceAll("\\{[^}]*\\}", " ") // label matchers
            .replaceAll("\\[[^\\]]*\\]", " ") // ranges
            .replaceAll("\\$\\{?[A-Za-z_]+\\}?", " ") // Grafana variables
            .replaceAll(
                "(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
            .replaceAll("\\b[0-9][0-9.eE+-]*[smhdwy]?\\b", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = NAME.matcher(e);
    while (m.find()) {
      String n = m.group();
      int after = m.end();
      boolean call = after < e.length() && e.substring(after).stripLeading().startsWith("(");
      if (!call && !NOT_METRICS.contains(n.toLowerCase())) {
        names.add(n);
      }
    }
    return names;
  }
}
