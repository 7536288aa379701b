package com.flintn.webhooks.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlintnConfigTest {
  @TempDir Path dir;

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
  void accountLimitsAreReadAndCheckedAgainstTheirRanges() {
    FlintnConfig c =
        load(
            Optional.empty(),
            Map.of(
                "FLINTN_ADMIN_MAX_ENDPOINTS_PER_ACCOUNT", "3",
                "FLINTN_ADMIN_TEST_EVENTS_PER_MINUTE", "600"));
    assertThat(c.admin().maxEndpointsPerAccount()).isEqualTo(3);
    assertThat(c.admin().testEventsPerMinute()).isEqualTo(600);
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_ADMIN_MAX_ENDPOINTS_PER_ACCOUNT", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("admin.max-endpoints-per-account: 0 is out of range 1..100000");
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_ADMIN_TEST_EVENTS_PER_MINUTE", "10001")))
        .hasMessageStartingWith("admin.test-events-per-minute: 10001 is out of range 1..10000");
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_ADMIN_TEST_EVENTS_PER_MINUTE", "ten")))
        .hasMessageStartingWith("admin.test-events-per-minute: 'ten' is not a whole number");
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
    assertThatThrownBy(() -> load(Optional.empty(), Map.of()).secrets().requireCipher())
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

  @Test
  void environmentVariableNamesFollowTheContract() {
    assertThat(ConfigKey.KAFKA_BOOTSTRAP_SERVERS.environmentVariable())
        .isEqualTo("FLINTN_KAFKA_BOOTSTRAP_SERVERS");
    assertThat(ConfigKey.URL_GUARD_ALLOW.environmentVariable()).isEqualTo("FLINTN_URL_GUARD_ALLOW");
  }
}
