package com.flintn.webhooks.launcher;

import com.flintn.webhooks.bench.BenchApp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Runs benchmark scenarios on an embedded broker and local HTTPS sinks with the real",
      "dispatcher, each beside a baseline run in the same process; prints a table and writes",
      "JSON. Scenarios: P1 (throughput vs raw HTTP), P2 (20 ms sinks vs a naive loop),",
      "P3 (one endpoint hanging), P6 (standalone cold start). See BENCHMARKS.md."
    })
final class BenchCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..*",
      paramLabel = "SCENARIO",
      description = "P1, P2, P3, P6 (default: all).")
  List<String> scenarios = new ArrayList<>();

  @Option(names = "--smoke", description = "Tiny sizes: checks the harness, not the speed.")
  boolean smoke;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      defaultValue = "target/bench/bench-results.json",
      description = "Where to write the JSON results (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<String> ids = new ArrayList<>();
    for (String s : scenarios.isEmpty() ? List.of("P1", "P2", "P3", "P6") : scenarios) {
      String id = s.toUpperCase(Locale.ROOT);
      if (!BenchApp.SCENARIOS.contains(id)) {
        throw new Main.UsageException(
            "unknown scenario '"
                + s
                + "'; choose from "
                + String.join(", ", BenchApp.SCENARIOS.stream().sorted().toList()));
      }
      ids.add(id);
    }
    BenchApp.run(
        ids,
        smoke ? BenchApp.Sizes.smoke() : BenchApp.Sizes.full(),
        Path.of(System.getProperty("flintn.root", ".")).toAbsolutePath(),
        out,
        System.out);
    return Main.OK;
  }
}
