package com.flintn.webhooks.admin;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.json.JsonSerde;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.metrics.Health;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The admin API must not start on, or look healthy with, an endpoints table it cannot fully read:
 * an endpoint written with another {@code secrets.encryption-key} would look deleted to its
 * account.
 */
@Tag("broker")
class AdminUndecryptableEndpointTest {

  @Test
  void startIsRefusedNamingTheKey() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create(
            "admin-wrong-key", 1, Optional.empty(), Map.of(ConfigKey.ADMIN_PORT, "0"))) {
      putWithAnotherKey(env, "ep_1");

      try (AdminApp admin =
          new AdminApp(
              env.config(),
              ApiKeys.of(List.of("test-key-account-a-0123456789"), List.of(AccountId.of("acc_a"))),
              Clock.systemUTC())) {
        assertThatThrownBy(admin::start)
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith(
                "secrets.encryption-key: 1 endpoint record cannot be decrypted with this key"
                    + " (first: ep_1)");
      }
    }
  }

  @Test
  void aRecordWrittenWithAnotherKeyWhileRunningTakesTheHealthCheckDownNamingTheKey()
      throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create(
            "admin-wrong-key-later", 1, Optional.empty(), Map.of(ConfigKey.ADMIN_PORT, "0"))) {
      env.putEndpoint(
          endpoint(
              "ep_1", "acc_a", "https://127.0.0.1:9/hook", List.of("*"), EndpointStatus.ACTIVE));
      Health health = new Health(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
      try (AdminApp admin =
          new AdminApp(
              env.config(),
              ApiKeys.of(List.of("test-key-account-a-0123456789"), List.of(AccountId.of("acc_a"))),
              Clock.systemUTC())) {
        admin.addHealthChecks(health);
        admin.start();
        org.assertj.core.api.Assertions.assertThat(
                health.report().get("admin_endpoint_table").healthy())
            .isTrue();
        putWithAnotherKey(env, "ep_2");
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> !health.report().get("admin_endpoint_table").healthy());
        org.assertj.core.api.Assertions.assertThat(
                health.report().get("admin_endpoint_table").detail())
            .startsWith("secrets.encryption-key: 1 endpoint record cannot be decrypted")
            .contains("first: ep_2");
      }
    }
  }

  /** Writes endpoint {@code id} of acc_a to the table, its secret sealed with a key of its own. */
  private static void putWithAnotherKey(TestEnvironment env, String id) {
    Endpoint e =
        endpoint(id, "acc_a", "https://127.0.0.1:9/hook", List.of("*"), EndpointStatus.ACTIVE);
    String topic = env.topics().endpoints().name();
    JsonSerde<Endpoint> otherKey =
        new JsonSerde<>(
            Endpoint.class,
            Json.mapperEncrypting(SecretCipher.fromBase64Key(SecretCipher.generateKey())));
    env.send(topic, id.getBytes(StandardCharsets.UTF_8), otherKey.serialize(topic, e));
  }
}
