package com.flintn.webhooks.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flintn.webhooks.common.sign.SecretCipher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlintnConfigTest {
  @TempDir Path dir;

  /** The secrets cipher of a configuration made of {@code env} alone. */
  private static SecretCipher cipher(Map<String, String> env) {
    return load(Optional.empty(), env).secrets().requireCipher();
  }

  private static FlintnConfig load(Optional<Path> file, Map<String, String> env) {
    return FlintnConfig.from(ConfigValues.load(file, env, Map.of()));
  }

  @Test
  void defaultsMatchTheCustomerPage() {
    FlintnConfig c = load(Optional.empty(), Map.of());
    assertThat(c.retry().tiers())
        .containsExactly(
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(24));
    assertThat(c.http().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.topics().prefix()).isEqualTo("webhooks");
    assertThat(c.admin().port()).isEqualTo(8080);
    assertThat(c.admin().maxEndpointsPerAccount()).isEqualTo(100);
    assertThat(c.admin().testEventsPerMinute()).isEqualTo(10);
  }

  @Test
  void accountLimitsAreRead() {
    FlintnConfig c =
        load(
            Optional.empty(),
            Map.of(
                "FLINTN_ADMIN_MAX_ENDPOINTS_PER_ACCOUNT", "3",
                "FLINTN_ADMIN_TEST_EVENTS_PER_MINUTE", "600"));
    assertThat(c.admin().maxEndpointsPerAccount()).isEqualTo(3);
    assertThat(c.admin().testEventsPerMinute()).isEqualTo(600);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "FLINTN_ADMIN_MAX_ENDPOINTS_PER_ACCOUNT | 0"
            + " | admin.max-endpoints-per-account: 0 is out of range 1..100000",
        "FLINTN_ADMIN_TEST_EVENTS_PER_MINUTE | 10001"
            + " | admin.test-events-per-minute: 10001 is out of range 1..10000",
        "FLINTN_ADMIN_TEST_EVENTS_PER_MINUTE | ten"
            + " | admin.test-events-per-minute: 'ten' is not a whole number"
      })
  void accountLimitsOutsideTheirRangesAreRefusedNamingTheKey(
      String variable, String value, String message) {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of(variable, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void theDeliverySearchBoundHasADefaultAndABadValueNamesItsKey() {
    assertThat(load(Optional.empty(), Map.of()).admin().deliverySearchMaxAttempts())
        .isEqualTo(2_000_000);
    assertThat(
            load(Optional.empty(), Map.of("FLINTN_ADMIN_DELIVERY_SEARCH_MAX_ATTEMPTS", "5000"))
                .admin()
                .deliverySearchMaxAttempts())
        .isEqualTo(5000);
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_ADMIN_DELIVERY_SEARCH_MAX_ATTEMPTS", "10")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "admin.delivery-search.max-attempts: 10 is out of range 1000..200000000");
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_ADMIN_DELIVERY_SEARCH_MAX_ATTEMPTS", "2M")))
        .hasMessageStartingWith("admin.delivery-search.max-attempts: '2M' is not a whole number");
  }

  @Test
  void theDedupWindowIsADurationZeroTurnsItOffAndABadOneNamesTheKey() throws Exception {
    assertThat(load(Optional.empty(), Map.of()).dispatcher().dedupWindow())
        .isEqualTo(Duration.ofHours(24));
    assertThat(
            load(Optional.empty(), Map.of("FLINTN_EVENTS_DEDUP_WINDOW", "90m"))
                .dispatcher()
                .dedupWindow())
        .isEqualTo(Duration.ofMinutes(90));
    for (String off : new String[] {"0", "0s", "0h"}) {
      assertThat(
              load(Optional.empty(), Map.of("FLINTN_EVENTS_DEDUP_WINDOW", off))
                  .dispatcher()
                  .dedupWindow())
          .as(off)
          .isZero();
    }
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_EVENTS_DEDUP_WINDOW", "one day")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("events.dedup-window: 'one day' is not a duration");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("FLINTN_EVENTS_DEDUP_WINDOW", "31d")))
        .hasMessageStartingWith("events.dedup-window: '31d' is longer than 720h");
    Path typo = dir.resolve("dedup.properties");
    Files.writeString(typo, "events.dedup-windw=1h\n");
    assertThatThrownBy(() -> load(Optional.of(typo), Map.of()))
        .hasMessageContaining("did you mean events.dedup-window?");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("FLINTN_EVENTS_DEDUP_WINDW", "1h")))
        .hasMessageContaining("did you mean FLINTN_EVENTS_DEDUP_WINDOW?");
    // The seen-ids topic keeps the window and a margin.
    assertThat(
            load(Optional.empty(), Map.of("FLINTN_EVENTS_DEDUP_WINDOW", "2h"))
                .topicCatalog()
                .eventsSeen()
                .spec()
                .retention())
        .contains(Duration.ofHours(3));
  }

  @Test
  void readsPropertiesAndYamlAndTheEnvironmentWins() throws Exception {
    Path props = dir.resolve("a.properties");
    Files.writeString(props, "http.timeout=10s\ntopics.prefix=acme\n");
    Path yaml = dir.resolve("a.yaml");
    Files.writeString(
        yaml, "http:\n  timeout: 12s\nurl-guard:\n  allow: [127.0.0.1/32, 10.0.0.0/8]\n");
    assertThat(load(Optional.of(props), Map.of()).http().timeout())
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(load(Optional.of(yaml), Map.of()).urlGuardAllow()).hasSize(2);
    FlintnConfig c = load(Optional.of(props), Map.of("FLINTN_HTTP_TIMEOUT", "250ms"));
    assertThat(c.http().timeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.topics().prefix()).isEqualTo("acme");
  }

  @Test
  void errorsNameTheKey() throws Exception {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("FLINTN_HTTP_TIMEOUT", "30x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("http.timeout: '30x' is not a duration");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("FLINTN_RETRY_TIERS", "5m,30m,20m,24h")))
        .hasMessageStartingWith("retry.tiers[2]: must be > retry.tiers[1]");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("FLINTN_RETRY_TIERS", "5m,30m")))
        .hasMessageStartingWith("retry.tiers: needs exactly 4 durations");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("FLINTN_ADMIN_PORT", "http")))
        .hasMessageStartingWith("admin.port: 'http' is not a whole number");
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_URL_GUARD_ALLOW", "10.0.0.0/8,nope")))
        .hasMessageStartingWith("url-guard.allow[1]:");
    assertThatThrownBy(
            () ->
                load(Optional.empty(), Map.of("FLINTN_HTTP_TRUSTED_CERTIFICATES", "/no/such.pem")))
        .hasMessageStartingWith("http.trusted-certificates: no readable file");
    Path typo = dir.resolve("typo.properties");
    Files.writeString(typo, "http.timout=5s\n");
    assertThatThrownBy(() -> load(Optional.of(typo), Map.of()))
        .hasMessageContaining("http.timout: unknown key")
        .hasMessageContaining("did you mean http.timeout?");
    assertThatThrownBy(() -> load(Optional.of(dir.resolve("missing.yaml")), Map.of()))
        .hasMessageStartingWith("--config: no such file");
  }

  @Test
  void aMisspelledEnvironmentVariableStopsStartupNamingIt() {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("FLINTN_HTTP_TIMOUT", "5s")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "FLINTN_HTTP_TIMOUT: unknown environment variable"
                + " (did you mean FLINTN_HTTP_TIMEOUT?)");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("FLINTN_NOTHING_LIKE_A_KEY", "1")))
        .hasMessage("FLINTN_NOTHING_LIKE_A_KEY: unknown environment variable");
    // Variables read outside the configuration, and others' variables, are left alone.
    assertThat(
            load(
                    Optional.empty(),
                    Map.of(
                        "FLINTN_JAVA_OPTS", "-Xmx1g",
                        "FLINTN_HTTP_TIMEOUT", "5s",
                        "FLINTNX_OTHER", "x",
                        "PATH", "/usr/bin"))
                .http()
                .timeout())
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aProcessThatHandlesSecretsNeedsTheKeyAndABadKeyIsNamed() {
    assertThatThrownBy(() -> cipher(Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("secrets.encryption-key: is required")
        .hasMessageContaining("FLINTN_SECRETS_ENCRYPTION_KEY");
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_SECRETS_ENCRYPTION_KEY", "c2hvcnQ=")))
        .hasMessageStartingWith("secrets.encryption-key: must be base64 of 32 bytes")
        .hasMessageNotContaining("c2hvcnQ=");
    assertThat(load(Optional.empty(), Map.of()).secrets().rotationGrace())
        .isEqualTo(Duration.ofHours(24));
  }

  private static final String KEY_A = "dGVzdC1rZXktZm9yLWZsaW50bi13ZWJob29rcy0zMmI=";
  private static final String KEY_B = "YW5vdGhlci10ZXN0LWtleS1mb3ItZmxpbnRuLTMyYiE=";

  @Test
  void theEncryptionKeyAloneIsAKeyringOfOneKeyCalledDefault() {
    var cipher = cipher(Map.of("FLINTN_SECRETS_ENCRYPTION_KEY", KEY_A));
    assertThat(cipher.keyIds()).containsExactly("default");
    assertThat(cipher.writeKeyId()).isEqualTo("default");
    assertThat(cipher.allowsPlaintext()).isFalse();
  }

  @Test
  void keyringKeysComeFromTheEnvironmentOrAFileAndTheOldKeyKeepsWritingUntilSwitched(
      @TempDir Path dir) throws Exception {
    var adding =
        cipher(
            Map.of(
                "FLINTN_SECRETS_ENCRYPTION_KEY",
                KEY_A,
                "FLINTN_SECRETS_ENCRYPTION_KEYS",
                "k2=" + KEY_B));
    assertThat(adding.keyIds()).containsExactly("default", "k2");
    assertThat(adding.writeKeyId()).isEqualTo("default");
    var switched =
        cipher(
            Map.of(
                "FLINTN_SECRETS_ENCRYPTION_KEY",
                KEY_A,
                "FLINTN_SECRETS_ENCRYPTION_KEYS",
                "k2=" + KEY_B,
                "FLINTN_SECRETS_ENCRYPTION_KEY_ID",
                "k2",
                "FLINTN_SECRETS_ALLOW_PLAINTEXT",
                "true"));
    assertThat(switched.writeKeyId()).isEqualTo("k2");
    assertThat(switched.allowsPlaintext()).isTrue();
    Path yaml = dir.resolve("c.yaml");
    Files.writeString(
        yaml,
        "secrets:\n  encryption-keys:\n    - k1="
            + KEY_A
            + "\n    - k2="
            + KEY_B
            + "\n  encryption-key-id: k1\n");
    var fromFile = load(Optional.of(yaml), Map.of()).secrets().requireCipher();
    assertThat(fromFile.keyIds()).containsExactly("k1", "k2");
    assertThat(fromFile.writeKeyId()).isEqualTo("k1");
    var single = cipher(Map.of("FLINTN_SECRETS_ENCRYPTION_KEYS", " k3=" + KEY_B + " ,"));
    assertThat(single.writeKeyId()).isEqualTo("k3");
  }

  @Test
  void aBadKeyringStopsStartupNamingTheKeyAndNeverShowingKeyMaterial() {
    Map<Map<String, String>, String> cases = new java.util.LinkedHashMap<>();
    cases.put(
        Map.of("FLINTN_SECRETS_ENCRYPTION_KEYS", "k1=" + KEY_A + ",k2=" + KEY_B),
        "secrets.encryption-key-id: is required: secrets.encryption-keys has 2 keys (k1, k2);"
            + " say which one writes");
    cases.put(
        Map.of(
            "FLINTN_SECRETS_ENCRYPTION_KEYS",
            "k1=" + KEY_A,
            "FLINTN_SECRETS_ENCRYPTION_KEY_ID",
            "k2"),
        "secrets.encryption-key-id: 'k2' is not a key of the keyring (its ids: k1)");
    cases.put(
        Map.of("FLINTN_SECRETS_ENCRYPTION_KEY_ID", "k1"),
        "secrets.encryption-key-id: names a key, but neither secrets.encryption-key nor"
            + " secrets.encryption-keys is set");
    cases.put(
        Map.of("FLINTN_SECRETS_ENCRYPTION_KEYS", "k1=" + KEY_A + ",k2=c2hvcnQ="),
        "secrets.encryption-keys[1]: key 'k2' must be base64 of 32 bytes, got 5 bytes");
    cases.put(
        Map.of("FLINTN_SECRETS_ENCRYPTION_KEYS", KEY_A),
        "secrets.encryption-keys[0]: must be id=base64-key (e.g. k2=$(openssl rand -base64 32))");
    cases.put(
        Map.of("FLINTN_SECRETS_ENCRYPTION_KEYS", "k1=" + KEY_A + ",k1=" + KEY_B),
        "secrets.encryption-keys[1]: key id 'k1' appears twice");
    cases.put(
        Map.of(
            "FLINTN_SECRETS_ENCRYPTION_KEY",
            KEY_A,
            "FLINTN_SECRETS_ENCRYPTION_KEYS",
            "default=" + KEY_B),
        "secrets.encryption-keys[0]: key id 'default' appears twice (it is the id of"
            + " secrets.encryption-key)");
    cases.put(
        Map.of("FLINTN_SECRETS_ENCRYPTION_KEYS", "k:1=" + KEY_A),
        "secrets.encryption-keys[0]: a key id must be 1 to 32 letters, digits, '.', '_' or '-'"
            + " (it is written into every sealed secret)");
    cases.put(
        Map.of("FLINTN_SECRETS_ENCRYPTION_KEYS", "k1=" + KEY_A + "," + KEY_B.replace('i', '+')),
        "secrets.encryption-keys[1]: must be id=base64-key (e.g. k2=$(openssl rand -base64 32))");
    cases.put(
        Map.of("FLINTN_SECRETS_ENCRYPTION_KEYS", "a/b=" + KEY_B),
        "secrets.encryption-keys[0]: a key id must be 1 to 32 letters, digits, '.', '_' or '-'"
            + " (it is written into every sealed secret)");
    cases.put(
        Map.of("FLINTN_SECRETS_ENCRYPTION_KEY", KEY_A, "FLINTN_SECRETS_ALLOW_PLAINTEXT", "yes"),
        "secrets.allow-plaintext: 'yes' must be true or false");
    cases.forEach(
        (env, message) ->
            assertThatThrownBy(() -> load(Optional.empty(), env))
                .as(message)
                .isInstanceOf(ConfigException.class)
                .hasMessage(message)
                .hasMessageNotContaining(KEY_B.substring(0, 20))
                .hasMessageNotContaining(KEY_A.substring(0, 20)));
  }

  @Test
  void environmentVariableNamesFollowTheContract() {
    assertThat(ConfigKey.KAFKA_BOOTSTRAP_SERVERS.environmentVariable())
        .isEqualTo("FLINTN_KAFKA_BOOTSTRAP_SERVERS");
    assertThat(ConfigKey.URL_GUARD_ALLOW.environmentVariable()).isEqualTo("FLINTN_URL_GUARD_ALLOW");
  }
}
