package com.flintn.webhooks.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scanner finds what is planted, where it is planted, and never prints it. */
class LogSecretsScannerTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path root;

  @Test
  void findsEveryKindOfPlantedSecretByFileAndLineAndMasksIt() throws Exception {
    String signing = "whsec_" + Base64.getEncoder().encodeToString(bytes(32));
    String shortSigning = "whsec_" + Base64.getEncoder().encodeToString(bytes(24));
    String apiKey = "fwk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
    String bearer = "abc.DEF-123_xyz~";
    String encryptionKey = Base64.getEncoder().encodeToString(bytes(32));
    String testKey = "planted-test-key-" + RANDOM.nextInt(1_000_000);
    Path surefire =
        write(
            "alpha/target/surefire-reports/com.example.AlphaTest-output.txt",
            "a clean line",
            "created endpoint with secret " + signing + " for acc_1",
            "endpoint ep_1 secrets [current whsec_[redacted]]",
            "GET /v1/webhooks Authorization: Bearer " + bearer,
            "401: missing Authorization: Bearer <api key> header",
            "config secrets.encryption-key=" + encryptionKey,
            "imported " + shortSigning,
            "FLINTN_SECRETS_ENCRYPTION_KEYS=k2=" + encryptionKey);
    Path failsafe =
        write(
            "beta/target/failsafe-reports/com.example.BetaIT-output.txt",
            "[standalone] API key for account acc_demo: " + apiKey,
            "[standalone]   curl -H 'Authorization: Bearer "
                + apiKey
                + "' http://localhost:8080/v1/webhooks",
            "access log: key " + apiKey + " used",
            "headers {Authorization=[Bearer " + bearer + "]}",
            "using " + testKey);
    Path process = write("beta/target/process-logs/dispatcher-1/stdout.log", "x", "y", signing);
    // Not scanned: report files other than *-output.txt, and directories outside the layout.
    write("alpha/target/surefire-reports/TEST-com.example.AlphaTest.xml", signing);
    write("alpha/target/other/log.txt", signing);
    write("notamodule/target/surefire-reports/X-output.txt", signing);

    LogSecretsScanner.Report report =
        new LogSecretsScanner(root).literal("planted test key", testKey).scan();

    assertThat(report.files()).containsExactly(surefire, failsafe, process);
    assertThat(report.lines()).isEqualTo(8 + 5 + 3);
    assertThat(report.exemptLines()).isEqualTo(2);
    assertThat(report.findings())
        .extracting(f -> f.file() + ":" + f.line() + " " + f.kinds())
        .containsExactly(
            "alpha/target/surefire-reports/com.example.AlphaTest-output.txt:2 [signing secret]",
            "alpha/target/surefire-reports/com.example.AlphaTest-output.txt:4 [bearer credential]",
            "alpha/target/surefire-reports/com.example.AlphaTest-output.txt:6 [encryption key]",
            "alpha/target/surefire-reports/com.example.AlphaTest-output.txt:7 [signing secret]",
            "alpha/target/surefire-reports/com.example.AlphaTest-output.txt:8 [encryption key]",
            "beta/target/failsafe-reports/com.example.BetaIT-output.txt:3 [admin API key]",
            "beta/target/failsafe-reports/com.example.BetaIT-output.txt:4 [bearer credential]",
            "beta/target/failsafe-reports/com.example.BetaIT-output.txt:5 [planted test key]",
            "beta/target/process-logs/dispatcher-1/stdout.log:3 [signing secret]");
    assertThat(report.findings().getFirst().masked())
        .startsWith("created endpoint with secret [MASKED ")
        .endsWith(" chars] for acc_1");

    AssertionError failure = catchFailure(report);
    assertThat(failure.getMessage())
        .contains("AlphaTest-output.txt:2", "stdout.log:3", "9 secret(s) found")
        .doesNotContain(signing, shortSigning, apiKey, bearer, encryptionKey, testKey);
  }

  @Test
  void aScanThatFoundNoLogFilesFails() throws Exception {
    write("alpha/pom.xml", "<project/>");
    LogSecretsScanner.Report report = new LogSecretsScanner(root).scan();
    assertThat(report.files()).isEmpty();
    assertThatThrownBy(report::assertClean).hasMessageContaining("no log files under " + root);
  }

  @Test
  void cleanLogsPassAndAreCounted() throws Exception {
    write("alpha/target/surefire-reports/A-output.txt", "one", "two whsec_[redacted]");
    write("alpha/target/process-logs/p.log", "three");
    LogSecretsScanner.Report report = new LogSecretsScanner(root).scan();
    report.assertClean();
    assertThat(report.files()).hasSize(2);
    assertThat(report.lines()).isEqualTo(3);
  }

  @Test
  void testKeysAreReadFromTheTestSources() throws Exception {
    write(
        "alpha/src/test/java/x/Fixture.java",
        "class Fixture {",
        "  static final String KEY_A = \"fixture-key-account-a-0123456789\";",
        "  private static final String OTHER = \"not-a-key-but-long-enough-000\";",
        "  static final String SHORT_KEY = \"short\";",
        "}");
    write("alpha/target/surefire-reports/A-output.txt", "sent fixture-key-account-a-0123456789");
    LogSecretsScanner scanner = new LogSecretsScanner(root).literalsFromTestSources();
    assertThat(scanner.literals()).isEqualTo(1);
    assertThat(scanner.scan().findings())
        .singleElement()
        .satisfies(f -> assertThat(f.kinds()).containsExactly("test key from Fixture.java"));
  }

  private static AssertionError catchFailure(LogSecretsScanner.Report report) {
    try {
      report.assertClean();
    } catch (AssertionError e) {
      return e;
    }
    throw new AssertionError("the planted secrets were not reported");
  }

  private Path write(String relative, String... lines) throws Exception {
    Path f = root.resolve(relative);
    Files.createDirectories(f.getParent());
    Files.write(f, List.of(lines));
    Path module = root.resolve(relative.substring(0, relative.indexOf('/')));
    if (!module.getFileName().toString().equals("notamodule")
        && !Files.exists(module.resolve("pom.xml"))) {
      Files.writeString(module.resolve("pom.xml"), "<project/>");
    }
    return f;
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
