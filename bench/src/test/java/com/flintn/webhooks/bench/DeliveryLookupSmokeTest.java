package com.flintn.webhooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * P9's harness works: a small attempts topic is loaded by the admin, every lookup by event id finds
 * its event, and the naive scan runs beside it. Figures are not judged.
 */
@Tag("broker")
class DeliveryLookupSmokeTest {
  @TempDir Path dir;

  @Test
  void aSmallRunLoadsTheIndexAndFindsEveryEventItLooksUp() throws Exception {
    ObjectNode p9 = SmokeRuns.onePair("P9", dir);
    assertThat(p9.get("id").asText()).isEqualTo("P9");
    assertThat(p9.at("/details/attempts").asLong())
        .as(p9.toString())
        .isEqualTo(BenchApp.Sizes.smoke().p9Attempts());
    assertThat(p9.at("/details/lookup_misses").asInt()).isZero();
    assertThat(p9.at("/value/median").asDouble()).isPositive();
    assertThat(p9.at("/baseline/median").asDouble()).isPositive();
    assertThat(p9.at("/details/index_bytes").asLong()).isPositive();
  }
}
