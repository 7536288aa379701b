package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The checker behind the dashboard and alert tests finds names, and only names. */
class PromQlTest {
  @Test
  void findsTheMetricNamesOfAnExpression() {
    assertThat(
            PromQl.metricNames(
                "histogram_quantile(0.99, sum by (le, tier) (rate(webhook_retry_lateness_seconds_bucket{tier=~\"$tier\",instance=~\"${instance}\"}[$__rate_interval])))"))
        .containsExactly("webhook_retry_lateness_seconds_bucket");
    assertThat(PromQl.metricNames("absent(up{job=\"flintn-dispatcher\"} == 1)"))
        .containsExactly("up");
    assertThat(
            PromQl.metricNames(
                "sum(rate(a_total{outcome=~\"x|y\"}[10m])) / clamp_min(sum without (instance) (rate(b_total[10m])), 1) > 0.2"))
        .containsExactly("a_total", "b_total");
    assertThat(PromQl.metricNames("max by (group) (webhook_consumer_lag) > 1e4"))
        .containsExactly("webhook_consumer_lag");
  }
}
