package com.flintn.webhooks.launcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process started with a {@code secrets.encryption-key} other than the one the endpoints were
 * written with stops at once with one line naming the key and exit status 2, as for any bad
 * configuration, instead of running as if those endpoints did not exist.
 */
@Tag("broker")
class WrongEncryptionKeyCommandTest {
  @TempDir Path dir;

  @Test
  void theDispatcherAndDlqReplayRefuseToStartInOneLineWithExit2() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("wrong-key-cli", 1, Optional.empty(), Map.of())) {
      env.putEndpoint(
          endpoint("ep_k", "acc_k", "https://127.0.0.1:9/x", List.of("*"), EndpointStatus.ACTIVE));
      Path config = dir.resolve("flintn.properties");
      Files.writeString(
          config,
          "kafka.bootstrap-servers="
              + env.config().kafka().bootstrapServers()
              + "\ntopics.prefix="
              + env.prefix()
              + "\nretry.tiers=500ms,1s,2s,3s\nmetrics.port=0\nsecrets.encryption-key="
              + SecretCipher.generateKey()
              + "\n");
      for (String[] args :
          List.of(
              new String[] {"dispatcher", "--config", config.toString()},
              new String[] {"dlq", "replay", "--config", config.toString()})) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        PrintStream before = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
          status = Main.run(args);
        } finally {
          System.setErr(before);
        }
        String ours =
            err.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.startsWith("flintn-webhooks:"))
                .reduce("", (a, b) -> a + b + "\n");
        assertThat(status).as(args[0]).isEqualTo(2);
        assertThat(ours)
            .as(args[0])
            .isEqualTo(
                "flintn-webhooks: configuration: secrets.encryption-key: 1 endpoint record"
                    + " cannot be decrypted with this key (first: ep_k); it is not the key they"
                    + " were written with. Configure that key, or delete and recreate those"
                    + " endpoints\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("\tat ");
      }
    }
  }

  @Test
  void aPlaintextSecretInTheTableIsReadOnlyWithTheMigrationSwitch() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("plaintext-cli", 1, Optional.empty(), Map.of())) {
      // a record as written before secrets were encrypted: the secret in plain text
      var plain =
          new com.flintn.webhooks.common.json.JsonSerde<>(
              com.flintn.webhooks.common.message.Endpoint.class);
      var e =
          endpoint("ep_p", "acc_p", "https://127.0.0.1:9/x", List.of("*"), EndpointStatus.ACTIVE);
      String topic = env.topics().endpoints().name();
      env.send(topic, "ep_p".getBytes(StandardCharsets.UTF_8), plain.serialize(topic, e));
      String base =
          "kafka.bootstrap-servers="
              + env.config().kafka().bootstrapServers()
              + "\ntopics.prefix="
              + env.prefix()
              + "\nretry.tiers=500ms,1s,2s,3s\nmetrics.port=0\nsecrets.encryption-key="
              + TestEnvironment.TEST_ENCRYPTION_KEY
              + "\n";
      Path strict = dir.resolve("strict.properties");
      Files.writeString(strict, base);
      Path migrating = dir.resolve("migrating.properties");
      Files.writeString(migrating, base + "secrets.allow-plaintext=true\n");

      String[] out = new String[1];
      int status = run(out, "dlq", "replay", "--dry-run", "--config", strict.toString());
      assertThat(status).isEqualTo(2);
      assertThat(out[0])
          .isEqualTo(
              "flintn-webhooks: configuration: secrets.allow-plaintext: 1 endpoint record cannot"
                  + " be read: they hold plain-text secrets (first: ep_p); set"
                  + " secrets.allow-plaintext=true while migrating, run `flintn-webhooks secrets"
                  + " rekey`, then remove it\n");
      assertThat(out[0]).doesNotContain(e.secrets().current().reveal());
      assertThat(run(out, "dlq", "replay", "--dry-run", "--config", migrating.toString()))
          .as(out[0])
          .isZero();
    }
  }

  /** Runs the command line; {@code out[0]} gets its own lines on standard error. */
  private static int run(String[] out, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream before = System.err;
    PrintStream stdout = System.out;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      return Main.run(args);
    } finally {
      System.setErr(before);
      System.setOut(stdout);
      out[0] =
          err.toString(StandardCharsets.UTF_8)
              .lines()
              .filter(l -> l.startsWith("flintn-webhooks:"))
              .reduce("", (a, b) -> a + b + "\n");
    }
  }
}
