package com.flintn.webhooks.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs of the bench at smoke size, for the tests that check a harness works. */
final class SmokeRuns {
  private SmokeRuns() {}

  /**
   * Runs benchmark {@code id} alone, with one pair, its report written to {@code dir}, and returns
   * its result.
   */
  static ObjectNode onePair(String id, Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<ObjectNode> results =
        BenchApp.run(
            List.of(id),
            BenchApp.Sizes.smoke().withPairs(1),
            Path.of("."),
            dir.resolve("bench.json"),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    return results.getFirst();
  }
}
