package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Startup errors of the admin command: one line naming the key, exit 2, before any I/O. */
class AdminCommandTest {
  @TempDir Path dir;

  @Test
  void withoutApiKeysItStopsNamingTheKey() throws Exception {
    Path config = dir.resolve("admin.properties");
    Files.writeString(config, "kafka.bootstrap-servers=127.0.0.1:1\n");
    String err = run(2, "admin", "--config", config.toString());
    assertThat(err.strip()).startsWith("flintn-webhooks: configuration: admin.api-keys");
    assertThat(err.strip().lines()).hasSize(1);
  }

  @Test
  void aBadKeyFileStopsNamingTheKeyAndLine() throws Exception {
    Path keys = dir.resolve("keys.txt");
    Files.writeString(keys, "too-short acc_1\n");
    Path config = dir.resolve("admin.properties");
    Files.writeString(config, "kafka.bootstrap-servers=127.0.0.1:1\nadmin.api-keys=" + keys + "\n");
    String err = run(2, "admin", "--config", config.toString());
    assertThat(err).contains("admin.api-keys", "line 1", "shorter than 20");
  }

  @Test
  void aBadDeliverySearchBoundStopsNamingTheKey() throws Exception {
    Path config = dir.resolve("admin.properties");
    Files.writeString(
        config, "kafka.bootstrap-servers=127.0.0.1:1\nadmin.delivery-search.max-attempts=lots\n");
    String err = run(2, "admin", "--config", config.toString());
    assertThat(err.strip())
        .isEqualTo(
            "flintn-webhooks: configuration: admin.delivery-search.max-attempts: 'lots' is not a"
                + " whole number");
  }

  private static String run(int expectedStatus, String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run(args)).isEqualTo(expectedStatus);
    } finally {
      System.setErr(err);
    }
    return e.toString(StandardCharsets.UTF_8);
  }
}
