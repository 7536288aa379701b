package com.flintn.webhooks.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test of the build (the {@code secrets-scan} execution of this module,
 * which comes last in the reactor) and fails if any log the build produced holds a secret: see
 * {@link LogSecretsScanner} for what is read and what counts as a secret. It also fails when there
 * is nothing to read, so it cannot pass by scanning nothing.
 */
@Tag("process")
class LogSecretsScanIT {

  @Test
  void noLogLineOfTheBuildHoldsASecret() {
    String property = System.getProperty("flintn.root");
    assertThat(property).as("system property flintn.root (set by the root POM)").isNotBlank();
    Path root = Path.of(property).toAbsolutePath().normalize();
    assertThat(Files.isRegularFile(root.resolve("pom.xml"))).as(root + "/pom.xml").isTrue();

    LogSecretsScanner scanner =
        new LogSecretsScanner(root)
            .literal("secrets encryption key of the tests", TestEnvironment.TEST_ENCRYPTION_KEY)
            .literalsFromTestSources();
    LogSecretsScanner.Report report = scanner.scan();
    System.out.println(report.summary() + "; " + scanner.literals() + " literal test keys sought");
    long perModule =
        report.files().stream().map(f -> root.relativize(f).getName(0)).distinct().count();
    System.out.println("log secrets scan: files from " + perModule + " module(s)");
    report.assertClean();
  }
}
