package com.flintn.webhooks.launcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
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
      Path config =
          CommandConfig.write(
              dir.resolve("flintn.properties"),
              env,
              "metrics.port=0",
              "secrets.encryption-key=" + SecretCipher.generateKey());
      for (String[] args :
          List.of(
              new String[] {"dispatcher", "--config", config.toString()},
              new String[] {"dlq", "replay", "--config", config.toString()})) {
        CommandRun r = CommandRun.of(args);
        r.refusal();
        assertThat(r.ownErrorLines())
            .as(args[0])
            .isEqualTo(
                "flintn-webhooks: configuration: secrets.encryption-key: 1 endpoint record"
                    + " cannot be decrypted with this key (first: ep_k); it is not the key they"
                    + " were written with. Configure that key, or delete and recreate those"
                    + " endpoints\n");
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
      String key = "secrets.encryption-key=" + TestEnvironment.TEST_ENCRYPTION_KEY;
      Path strict =
          CommandConfig.write(dir.resolve("strict.properties"), env, "metrics.port=0", key);
      Path migrating =
          CommandConfig.write(
              dir.resolve("migrating.properties"),
              env,
              "metrics.port=0",
              key,
              "secrets.allow-plaintext=true");

      CommandRun refused =
          CommandRun.of("dlq", "replay", "--dry-run", "--config", strict.toString());
      assertThat(refused.refusal()).doesNotContain(e.secrets().current().reveal());
      assertThat(refused.ownErrorLines())
          .isEqualTo(
              "flintn-webhooks: configuration: secrets.allow-plaintext: 1 endpoint record cannot"
                  + " be read: they hold plain-text secrets (first: ep_p); set"
                  + " secrets.allow-plaintext=true while migrating, run `flintn-webhooks secrets"
                  + " rekey`, then remove it\n");
      CommandRun read =
          CommandRun.of("dlq", "replay", "--dry-run", "--config", migrating.toString());
      assertThat(read.status()).as(read.ownErrorLines()).isZero();
    }
  }
}
