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
}
