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
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The admin API must not start on an endpoints table it cannot fully read: an endpoint written with
 * another {@code secrets.encryption-key} would look deleted to its account.
 */
class UndecryptableEndpointStartTest {

  @Test
  void startIsRefusedNamingTheKey() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create(
            "admin-wrong-key", 1, Optional.empty(), Map.of(ConfigKey.ADMIN_PORT, "0"))) {
      Endpoint e =
          endpoint(
              "ep_1", "acc_a", "https://127.0.0.1:9/hook", List.of("*"), EndpointStatus.ACTIVE);
      String topic = env.topics().endpoints().name();
      JsonSerde<Endpoint> otherKey =
          new JsonSerde<>(
              Endpoint.class,
              Json.mapperEncrypting(SecretCipher.fromBase64Key(SecretCipher.generateKey())));
      env.send(topic, "ep_1".getBytes(StandardCharsets.UTF_8), otherKey.serialize(topic, e));

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
}
