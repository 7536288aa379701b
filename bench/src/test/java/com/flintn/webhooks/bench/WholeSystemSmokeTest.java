package com.flintn.webhooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * P8's harness works: the whole system delivers a small run to nginx, h2load measures its ceiling,
 * and the CPU is split by component. Needs Debian's nginx-light and nghttp2-client, which the CI
 * script installs; figures are not judged.
 */
@Tag("broker")
@Tag("process")
class WholeSystemSmokeTest {
  @TempDir Path dir;

  @Test
  void aSmallRunDeliversToNginxAndSplitsTheCpuByComponent() throws Exception {
    assertThat(WholeSystem.Tools.find())
        .as("nginx and h2load (apt-get install nginx-light nghttp2-client)")
        .isPresent();
    ObjectNode p8 = SmokeRuns.onePair("P8", dir);
    assertThat(p8.at("/value/median").asDouble()).as(p8.toString()).isPositive();
    assertThat(p8.at("/baseline/median").asDouble()).as(p8.toString()).isPositive();
    JsonNode cpu = p8.at("/details/cpu_ms_per_1000_by_component");
    assertThat(List.of("dispatcher", "endpoint-state", "broker", "nginx"))
        .as(p8.toString())
        .allMatch(cpu::has);
    assertThat(p8.at("/details/cpu_ms_per_1000_by_component/dispatcher").asDouble()).isPositive();
  }
}
