package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
  /** Every process keeps the Kafka client's connection warnings: its operator's first sign. */
  @Test
  void everyProcessIsLongRunningAndTheToolsAreNot() {
    for (String process :
        new String[] {
          "standalone", "dispatcher", "retry-scheduler", "endpoint-state", "admin", "bench"
        }) {
      assertThat(Main.longRunning(process, "--config", "f.yaml")).as(process).isTrue();
    }
    for (String tool : new String[] {"topics", "events", "dlq", "help", "--version"}) {
      assertThat(Main.longRunning(tool)).as(tool).isFalse();
    }
    assertThat(Main.longRunning()).isFalse();
  }
}
