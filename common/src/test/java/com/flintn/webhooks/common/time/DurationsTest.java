package com.flintn.webhooks.common.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void durationsRoundTrip() {
    assertThat(Durations.format(Durations.parse("24h"))).isEqualTo("24h");
    assertThat(Durations.format(Durations.parse("300000ms"))).isEqualTo("5m");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }

  @Test
  void aBadDurationSaysHowToWriteOne() {
    assertThatThrownBy(() -> Durations.parse("30x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'30x' is not a duration; write a number and a unit: 250ms, 30s, 5m, 2h, 1d");
  }
}
