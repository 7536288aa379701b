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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness works: a tiny run of the in-process scenarios delivers and moves everything and
 * reports figures, every run, and the baselines; P7's burst is big enough to reach the overflow
 * lane. Figures are not judged here (benchmarks, not tests, measure speed).
 */
@Tag("broker")
class BenchSmokeTest {
  @TempDir Path dir;

  @Test
  void aSmallRunReportsEveryScenarioWithItsRuns() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Path json = dir.resolve("bench.json");
    List<ObjectNode> results =
        BenchApp.run(
            List.of("P1", "P2", "P3", "P4", "P5", "P7"),
            BenchApp.Sizes.smoke(),
            Path.of("."),
            json,
            new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(results)
        .extracting(r -> r.get("id").asText())
        .containsExactly("P1", "P2", "P3", "P4", "P5", "P7a", "P7b");
    for (ObjectNode r : results.subList(0, 3)) {
      assertThat(r.at("/value/median").asDouble()).as(r.toString()).isPositive();
      assertThat(r.at("/baseline/median").asDouble()).as(r.toString()).isPositive();
      assertThat(r.at("/value/runs").asInt()).isEqualTo(2);
      assertThat(r.has("cpu_ms_per_1000_deliveries")).isTrue();
      // warm-ups of each side (until settled), then the pairs with the order alternated
      StringBuilder order = new StringBuilder();
      r.get("runs")
          .forEach(
              x ->
                  order
                      .append(x.get("kind").asText())
                      .append(x.get("warmup").asBoolean() ? "-w" : "")
                      .append(' '));
      assertThat(order.toString())
          .matches("(value-w ){1,4}(baseline-w ){1,4}value baseline baseline value ");
    }
    ObjectNode p4 = results.get(3);
    assertThat(p4.at("/details/missing").asInt()).as(p4.toString()).isZero();
    assertThat(p4.at("/details/p50_ms").asDouble()).isPositive();
    assertThat(p4.at("/details/p99_9_ms").asDouble())
        .isGreaterThanOrEqualTo(p4.at("/details/p50_ms").asDouble());
    ObjectNode p5 = results.get(4);
    assertThat(p5.at("/details/missing").asInt()).as(p5.toString()).isZero();
    assertThat(p5.at("/details/seen").asInt()).isEqualTo(p5.at("/details/due_in_window").asInt());
    assertThat(p5.at("/details/moved_before_due").asInt()).isZero();
    assertThat(p5.at("/details/heap_live_end_mb").asLong()).isPositive();
    for (ObjectNode p7 : results.subList(5, 7)) {
      // the others' p99 on the slow account's partition against the rest, in one run
      assertThat(p7.at("/value/median").asDouble()).as(p7.toString()).isPositive();
      assertThat(p7.at("/baseline/median").asDouble()).isPositive();
      assertThat(p7.at("/details/accounts_sharing_slow_partition")).hasSize(2);
      assertThat(p7.at("/details/shared_partition/missing").asInt()).isZero();
      assertThat(p7.at("/details/other_partitions/missing").asInt()).isZero();
      assertThat(p7.at("/details/slow_duplicates").asInt()).isZero();
      assertThat(p7.at("/details/slow_received_before_produced").asInt()).isZero();
      assertThat(p7.at("/details/attempts_not_delivered").asText()).isEmpty();
    }
    ObjectNode p7a = results.get(5);
    assertThat(p7a.at("/details/slow_received").asInt())
        .isEqualTo(BenchApp.Sizes.smoke().p7Burst());
    assertThat(p7a.at("/details/overflow_moved").asInt()).as(p7a.toString()).isPositive();
    assertThat(results.get(6).at("/details/drain_awaited").asBoolean()).isFalse();
    JsonNode written = Json.mapper().readTree(json.toFile());
    assertThat(written.get("results")).hasSize(7);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("baseline", "ratio", "P1", "P5", "P7b");
  }
}
