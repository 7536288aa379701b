package com.flintn.webhooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The documented command {@code bin/flintn-webhooks bench} reaches the harness from a source
 * checkout, although the product's distribution leaves the harness out: the script adds it.
 */
@Tag("process")
class BenchCommandTest {
  private static final Path ROOT = Path.of(System.getProperty("flintn.root", ".")).toAbsolutePath();

  @Test
  void binFlintnWebhooksBenchRunsTheHarnessCommand() throws Exception {
    Ran help = run("bench", "--help");
    assertThat(help.status).as(help.out).isZero();
    assertThat(help.out)
        .contains("--smoke", "--pairs", "P7 (one account's slow endpoint", "P8 (the whole");
  }

  @Test
  void anUnknownScenarioIsABadUsageInOneLine() throws Exception {
    Ran bad = run("bench", "P99");
    assertThat(bad.status).as(bad.out).isEqualTo(2);
    assertThat(bad.out.strip())
        .isEqualTo(
            "flintn-webhooks: unknown scenario 'P99'; choose from "
                + String.join(", ", BenchApp.SCENARIOS)
                + " (see flintn-webhooks bench --help)");
  }

  private record Ran(int status, String out) {}

  private static Ran run(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = ROOT.resolve("bin/flintn-webhooks").toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process p =
        new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Ran(p.exitValue(), out);
  }
}
