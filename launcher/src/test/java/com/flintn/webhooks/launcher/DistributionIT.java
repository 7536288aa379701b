package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
}
