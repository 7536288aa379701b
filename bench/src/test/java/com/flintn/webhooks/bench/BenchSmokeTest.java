package com.flintn.webhooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness works: a tiny run of the in-process scenarios delivers everything and reports figures
 * and baselines. Figures are not judged here (benchmarks, not tests, measure speed).
 */
class BenchSmokeTest {
  @TempDir Path dir;

  @Test
  void aSmallRunReportsEveryScenarioWithItsBaseline() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Path json = dir.resolve("bench.json");
    List<ObjectNode> results =
        BenchApp.run(
            List.of("P1", "P2", "P3"),
            BenchApp.Sizes.smoke(),
            Path.of("."),
            json,
            new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(results).extracting(r -> r.get("id").asText()).containsExactly("P1", "P2", "P3");
    for (ObjectNode r : results) {
      assertThat(r.get("value").asDouble()).as(r.toString()).isPositive();
      assertThat(r.get("baseline").asDouble()).as(r.toString()).isPositive();
      assertThat(r.has("cpu_ms_per_1000_deliveries")).isTrue();
    }
    JsonNode written = Json.mapper().readTree(json.toFile());
    assertThat(written.get("results")).hasSize(3);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("id", "baseline", "ratio", "P1");
  }
}
