package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-jar",
                ROOT.resolve("launcher/target/flintn-webhooks.jar").toString(),
                "--version")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).startsWith("flintn-webhooks ");
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
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-jar",
                ROOT.resolve("launcher/target/flintn-webhooks.jar").toString(),
                "bench",
                "--smoke")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out.strip())
        .isEqualTo(
            "flintn-webhooks: bench: the benchmark harness is not part of this distribution; run it"
                + " from a source checkout with bin/flintn-webhooks bench (see BENCHMARKS.md)");
  }
}
