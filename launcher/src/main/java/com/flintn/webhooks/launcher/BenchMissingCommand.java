package com.flintn.webhooks.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code bench} where the benchmark harness is not on the class path: the product's distribution
 * (the jar and its lib/, the container image) leaves it out. Says where to run it instead.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the benchmark scenarios P1 to P7 (see BENCHMARKS.md). The benchmark harness ships",
      "apart from the product: run it from a source checkout with bin/flintn-webhooks bench."
    })
final class BenchMissingCommand implements Callable<Integer> {
  @Unmatched List<String> ignored = new ArrayList<>();

  @Override
  public Integer call() {
    throw new Main.UsageException(
        "bench: the benchmark harness is not part of this distribution; run it from a source"
            + " checkout with bin/flintn-webhooks bench (see BENCHMARKS.md)");
  }
}
