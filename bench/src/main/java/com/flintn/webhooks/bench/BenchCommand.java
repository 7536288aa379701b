package com.flintn.webhooks.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flintn-webhooks bench}. The benchmark harness ships apart from the product: the launcher
 * adds this command when it finds this class on its class path, which {@code bin/flintn-webhooks}
 * arranges for {@code bench} in a source checkout (docs/design.md §5).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Runs benchmark scenarios on an embedded broker and local HTTPS sinks with the real",
      "dispatcher and retry scheduler. P1 to P3 alternate runs of the product and of a baseline",
      "in the same process, after a discarded warm-up of each, and report medians, spreads and",
      "the ratio of the medians; prints a table and writes JSON with every run.",
      "Scenarios: P1 (throughput vs raw HTTP), P2 (20 ms sinks vs a naive loop),",
      "P3 (one endpoint hanging), P4 (1,000 events/s: produce-to-received latency),",
      "P5 (1,000,000 pending retries, 1,000 due/s: lateness and heap),",
      "P6 (standalone cold start), P7 (one account's slow endpoint: the other accounts on its",
      "partition vs the rest; two runs, the endpoint at 1 s and at 25 s), P8 (the whole",
      "system as standalone runs it, delivering to nginx, vs h2load on the same nginx; needs",
      "nginx-light and nghttp2-client), P9 (delivery search: lookups by event id among",
      "1,000,000 attempt records vs one scan of the topic). See BENCHMARKS.md."
    })
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "SCENARIO", description = "P1 to P9 (default: all).")
  List<String> scenarios = new ArrayList<>();

  @Option(names = "--smoke", description = "Tiny sizes: checks the harness, not the speed.")
  boolean smoke;

  @Option(
      names = "--pairs",
      paramLabel = "N",
      description = "Value/baseline pairs of P1 to P3 after the warm-up (default: 3; smoke: 2).")
  Integer pairs;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      defaultValue = "target/bench/bench-results.json",
      description = "Where to write the JSON results (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<String> ids = new ArrayList<>();
    for (String s : scenarios.isEmpty() ? BenchApp.SCENARIOS : scenarios) {
      String id = s.toUpperCase(Locale.ROOT);
      if (!BenchApp.SCENARIOS.contains(id)) {
        throw new ParameterException(
            spec.commandLine(),
            "unknown scenario '"
                + s
                + "'; choose from "
                + String.join(", ", BenchApp.SCENARIOS.stream().sorted().toList()));
      }
      ids.add(id);
    }
    if (pairs != null && pairs < 1) {
      throw new ParameterException(spec.commandLine(), "--pairs must be at least 1, got " + pairs);
    }
    BenchApp.Sizes sizes = smoke ? BenchApp.Sizes.smoke() : BenchApp.Sizes.full();
    BenchApp.run(
        ids,
        pairs == null ? sizes : sizes.withPairs(pairs),
        Path.of(System.getProperty("flintn.root", ".")).toAbsolutePath(),
        out,
        System.out);
    return 0;
  }
}
