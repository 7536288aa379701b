package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The built jar runs with {@code java -jar}, as the Dockerfile's entry point does. */
@Tag("process")
class DistributionIT {
  private static final Path ROOT = Path.of(System.getProperty("flintn.root", ".")).toAbsolutePath();

  @Test
  void theJarRunsOnItsOwnWithLibBesideIt() throws Exception {
    Run r = jar("--version");
    assertThat(r.status()).as(r.out()).isZero();
    assertThat(r.out()).startsWith("flintn-webhooks ");
  }

  /** The product's runtime class path: the jar's manifest names every jar of lib/ it loads. */
  @Test
  void theDistributionCarriesNeitherTheBenchmarkHarnessNorTheTestSupport() throws Exception {
    String classPath;
    try (JarFile jar = new JarFile(ROOT.resolve("launcher/target/flintn-webhooks.jar").toFile())) {
      classPath = jar.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
    }
    List<String> jars = List.of(classPath.trim().split("\\s+"));
    assertThat(jars).anyMatch(j -> j.startsWith("lib/endpoint-state-"));
    assertThat(jars).noneMatch(j -> j.startsWith("lib/bench-") || j.startsWith("lib/testkit-"));
  }

  @Test
  void benchWithoutTheHarnessSaysWhereToRunIt() throws Exception {
    Run r = jar("bench", "--smoke");
    assertThat(r.status()).as(r.out()).isEqualTo(2);
    assertThat(r.out().strip())
        .isEqualTo(
            "flintn-webhooks: bench: the benchmark harness is not part of this distribution; run it"
                + " from a source checkout with bin/flintn-webhooks bench (see BENCHMARKS.md)");
  }

  /** What {@code java -jar flintn-webhooks.jar args} printed (output and error) and its status. */
  private record Run(int status, String out) {}

  /** Runs the built jar with {@code args}; it must end within 60 s. */
  private static Run jar(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(ROOT.resolve("launcher/target/flintn-webhooks.jar").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
    return new Run(p.exitValue(), out);
  }
}
