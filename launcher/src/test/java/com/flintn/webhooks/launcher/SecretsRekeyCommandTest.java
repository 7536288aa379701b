package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rotation as the operators' runbook does it, against the real broker and endpoint-state app:
 * endpoints written with key A; key B added and made the writer; {@code secrets rekey}; then a
 * reader and a writer that hold only key B read and change every endpoint.
 */
@Tag("broker")
class SecretsRekeyCommandTest {
  private static final String KEY_B = SecretCipher.generateKey();
  private static final AccountId ACC = AccountId.of("acc_rekey");

  @TempDir Path dir;

  @Test
  void rekeyMovesEveryEndpointToTheNewKeySoTheOldOneCanBeRemoved() throws Exception {
    try (TestEnvironment env = TestEnvironment.create("rekey", 2, Optional.empty(), Map.of())) {
      // 1. Written with key A (secrets.encryption-key alone, key id "default").
      Map<EndpointId, Secret> current = new LinkedHashMap<>();
      Secret rotatedAway = Secret.generate();
      try (EndpointStateApp a = new EndpointStateApp(env.config())) {
        a.start();
        for (int i = 0; i < 5; i++) {
          EndpointId id = EndpointId.of("ep_rekey_" + i);
          Secret s = i == 0 ? rotatedAway : Secret.generate();
          env.send(env.topics().endpointChanges(), id.value(), change(id, Type.CREATE, s));
          current.put(id, s);
        }
        Secret next = Secret.generate();
        EndpointId rotated = EndpointId.of("ep_rekey_0");
        env.send(
            env.topics().endpointChanges(),
            rotated.value(),
            change(rotated, Type.ROTATE_SECRET, next));
        current.put(rotated, next);
        try (EndpointView view = view(env.config())) {
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      view.size() == 5
                          && view.get(rotated)
                              .map(e -> e.secrets().previous() != null)
                              .orElse(false));
        }
      }

      // Without the rekey, a process with only key B cannot read the table.
      FlintnConfig onlyB = config(env, Map.of(ConfigKey.SECRETS_ENCRYPTION_KEYS, "b=" + KEY_B));
      try (EndpointView view = view(onlyB)) {
        assertThat(view.keyProblem())
            .get()
            .extracting(Throwable::getMessage)
            .asString()
            .startsWith(
                "secrets.encryption-keys: 5 endpoint records cannot be decrypted: they were"
                    + " written with key id 'default', which is not configured (configured: b)");
      }

      // 2. Key B added and made the writer; key A stays readable.
      Map<ConfigKey, String> both = new EnumMap<>(ConfigKey.class);
      both.put(ConfigKey.SECRETS_ENCRYPTION_KEY, TestEnvironment.TEST_ENCRYPTION_KEY);
      both.put(ConfigKey.SECRETS_ENCRYPTION_KEYS, "b=" + KEY_B);
      both.put(ConfigKey.SECRETS_ENCRYPTION_KEY_ID, "b");
      Path bothFile = file(env, "both.properties", both);
      try (EndpointStateApp ab = new EndpointStateApp(config(env, both))) {
        ab.start();

        // 3. rekey: a dry run writes nothing, the run moves all five, a second run has nothing.
        CommandRun dry =
            CommandRun.of("secrets", "rekey", "--dry-run", "--config", bothFile.toString());
        assertThat(dry.status()).as(dry.err()).isZero();
        assertThat(dry.out())
            .isEqualTo(
                "dry run: 5 endpoints would be re-encrypted with key 'b' (0 of 5 already sealed"
                    + " with key 'b'); nothing was written\n");
        CommandRun rekey = CommandRun.of("secrets", "rekey", "--config", bothFile.toString());
        assertThat(rekey.status()).as(rekey.err()).isZero();
        assertThat(rekey.out())
            .isEqualTo(
                "re-encrypted 5 endpoints with key 'b' (0 of 5 already sealed with key 'b'"
                    + " before); every endpoint is sealed with it now\n");
        assertThat(rekey.err()).contains("re-encrypted 0 of 5").contains("re-encrypted 5 of 5");
        CommandRun again = CommandRun.of("secrets", "rekey", "--config", bothFile.toString());
        assertThat(again.status()).as(again.err()).isZero();
        assertThat(again.out())
            .isEqualTo("nothing to do: all 5 endpoints are sealed with key 'b'\n");
      }
      for (var r : env.readAll(env.topics().endpoints().name())) {
        // the table's last records carry no plaintext secret
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain("whsec_");
      }

      // 4. Key A removed: a reader with only key B reads every endpoint and its secrets ...
      try (EndpointView view = view(onlyB)) {
        assertThat(view.keyProblem()).isEmpty();
        assertThat(view.size()).isEqualTo(5);
        current.forEach(
            (id, s) -> assertThat(view.get(id).orElseThrow().secrets().current()).isEqualTo(s));
        assertThat(view.get(EndpointId.of("ep_rekey_0")).orElseThrow().secrets().previous())
            .isEqualTo(rotatedAway);
      }
      // ... and the endpoint-state app with only key B restores its store and applies changes.
      try (EndpointStateApp b = new EndpointStateApp(onlyB);
          EndpointView view = view(onlyB)) {
        b.start();
        EndpointId id = EndpointId.of("ep_rekey_3");
        env.send(env.topics().endpointChanges(), id.value(), change(id, Type.DISABLE, null));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> view.get(id).map(Endpoint::status).orElse(null) == EndpointStatus.DISABLED);
        assertThat(view.get(id).orElseThrow().secrets().current()).isEqualTo(current.get(id));
        assertThat(view.keyProblem()).isEmpty();
      }
    }
  }

  @Test
  void rekeyRefusesATableItCannotReadNamingTheKeyAndSendsNothing() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("rekey-refuse", 1, Optional.empty(), Map.of())) {
      env.putEndpoint(
          com.flintn.webhooks.testkit.Endpoints.endpoint(
              "ep_rk", "acc_rk", "https://127.0.0.1:9/x", List.of("*"), EndpointStatus.ACTIVE));
      Path onlyB =
          file(env, "b.properties", Map.of(ConfigKey.SECRETS_ENCRYPTION_KEYS, "b=" + KEY_B));
      int before = env.readAll(env.topics().endpointChanges().name()).size();
      CommandRun r = CommandRun.of("secrets", "rekey", "--config", onlyB.toString());
      assertThat(r.refusal())
          .contains(
              "flintn-webhooks: configuration: secrets.encryption-keys: 1 endpoint record cannot"
                  + " be decrypted: they were written with key id 'default', which is not"
                  + " configured (configured: b) (first: ep_rk); add that key to"
                  + " secrets.encryption-keys; nothing was re-encrypted");
      assertThat(env.readAll(env.topics().endpointChanges().name())).hasSize(before);
    }
  }

  private enum Type {
    CREATE,
    ROTATE_SECRET,
    DISABLE
  }

  private static EndpointChange change(EndpointId id, Type type, Secret secret) {
    Duration grace = Duration.ofDays(1);
    return new EndpointChange(
        "chg_" + id.value() + "_" + type,
        EndpointChange.Type.valueOf(type.name()),
        id,
        ACC,
        type == Type.CREATE ? "Rekey" : null,
        type == Type.CREATE ? "https://127.0.0.1:9/x" : null,
        type == Type.CREATE ? List.of("*") : null,
        secret,
        type == Type.ROTATE_SECRET ? grace.toMillis() : null,
        Clock.systemUTC().instant());
  }

  /** The environment's configuration with the secrets keys replaced by {@code secrets}. */
  private static FlintnConfig config(TestEnvironment env, Map<ConfigKey, String> secrets) {
    Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
    values.put(ConfigKey.KAFKA_BOOTSTRAP_SERVERS, env.config().kafka().bootstrapServers());
    values.put(ConfigKey.TOPICS_PREFIX, env.prefix());
    values.put(ConfigKey.TOPICS_REPLICATION_FACTOR, "1");
    values.put(ConfigKey.RETRY_TIERS, "500ms,1s,2s,3s");
    values.putAll(secrets);
    return FlintnConfig.from(ConfigValues.load(Optional.empty(), Map.of(), values));
  }

  private Path file(TestEnvironment env, String name, Map<ConfigKey, String> secrets)
      throws Exception {
    return CommandConfig.write(
        dir.resolve(name),
        env,
        secrets.entrySet().stream()
            .map(e -> e.getKey().key() + "=" + e.getValue())
            .toArray(String[]::new));
  }

  private static EndpointView view(FlintnConfig c) throws InterruptedException {
    EndpointView view = new EndpointView(c.kafka(), c.topicCatalog().endpoints());
    view.start();
    assertThat(view.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
    return view;
  }
}
