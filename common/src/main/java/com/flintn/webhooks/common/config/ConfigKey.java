package com.flintn.webhooks.common.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Every configuration key the product reads (docs/design.md §10), with its default and meaning.
 * This list is the single source for validation, environment-variable names and the table in
 * docs/operators.md.
 */
public enum ConfigKey {
  KAFKA_BOOTSTRAP_SERVERS(
      "kafka.bootstrap-servers", "localhost:9092", "Kafka brokers to connect to."),
  TOPICS_PREFIX("topics.prefix", "webhooks", "Prefix shared by every topic name."),
  TOPICS_PARTITIONS("topics.partitions", "6", "Partitions of each topic `topics create` makes."),
  TOPICS_REPLICATION_FACTOR(
      "topics.replication-factor", "3", "Replication factor of each topic (standalone: 1)."),
  RETRY_TIERS(
      "retry.tiers",
      "5m,30m,2h,24h",
      "Delays before attempts 2, 3, 4 and 5; four increasing durations."),
  HTTP_TIMEOUT("http.timeout", "30s", "Whole-request timeout of one delivery attempt."),
  HTTP_TRUSTED_CERTIFICATES(
      "http.trusted-certificates",
      null,
      "PEM file of extra CA certificates to trust (private CAs, tests, the demo)."),
  HTTP_MAX_IN_FLIGHT_PER_ENDPOINT(
      "http.max-in-flight-per-endpoint",
      "16",
      "Requests in flight to one endpoint at once, per dispatcher."),
  HTTP_MAX_IN_FLIGHT_PER_HOST(
      "http.max-in-flight-per-host",
      "256",
      "Requests in flight to one host and port at once, per dispatcher, across its endpoints."),
  HTTP_HTTP2(
      "http.http2",
      "true",
      "Offer HTTP/2 to receivers (ALPN): those that choose it get their deliveries multiplexed"
          + " over one connection per host and port; false speaks HTTP/1.1 to every receiver."),
  DISPATCHER_MAX_IN_FLIGHT_PER_PARTITION(
      "dispatcher.max-in-flight-per-partition",
      "1000",
      "Unfinished records per partition before the dispatcher pauses it; one endpoint holds at"
          + " most a quarter of them, the rest of its deliveries move to the overflow lane."),
  DISPATCHER_MAX_QUEUED_PER_ENDPOINT(
      "dispatcher.max-queued-per-endpoint",
      "64",
      "Deliveries that may keep waiting for an endpoint that stopped answering; more are"
          + " deferred to the first retry tier."),
  DISPATCHER_MAX_HOLD(
      "dispatcher.max-hold",
      "5s",
      "Longest a delivery waits in a shared partition for its endpoint; then it moves to the"
          + " overflow lane."),
  SHUTDOWN_TIMEOUT(
      "shutdown.timeout",
      "30s",
      "Longest a stop (SIGTERM, Ctrl-C) takes; unfinished work is left for the next owner."),
  EVENTS_MAX_BYTES("events.max-bytes", "262144", "Largest accepted event envelope, in bytes."),
  EVENTS_VALIDATE_SCHEMAS(
      "events.validate-schemas",
      "false",
      "`true` checks each event's `data` against the JSON Schema of its type in the event-type"
          + " catalogue; a mismatch goes to `webhooks.events.invalid` with reason `schema_invalid`."
          + " Types without a schema, or not in the catalogue, pass."),
  EVENTS_DEDUP_WINDOW(
      "events.dedup-window",
      "24h",
      "An event whose `account_id` and `event_id` were already seen in the same partition of"
          + " `webhooks.events` within this time is not delivered again (counted in"
          + " `webhook_events_duplicates_total`); `0` turns de-duplication off."),
  EVENTS_DEDUP_MAX_IDS(
      "events.dedup-max-ids",
      "3000000",
      "Event ids a dispatcher remembers per partition of `webhooks.events` (at most 64 MiB at the"
          + " default, 16-byte slots in a table kept partly empty: 21 to 43 bytes an id); when the"
          + " window holds more, the oldest are forgotten early and the log says so."),
  URL_GUARD_ALLOW(
      "url-guard.allow",
      "",
      "Comma-separated CIDRs exempt from the URL guard (e.g. 127.0.0.1/32 for local tests)."),
  SECRETS_ENCRYPTION_KEY(
      "secrets.encryption-key",
      null,
      "Base64 of 32 bytes: the AES-256-GCM key of secrets at rest (standalone makes one); in the"
          + " keyring its id is `default`."),
  SECRETS_ENCRYPTION_KEYS(
      "secrets.encryption-keys",
      null,
      "More keys of the keyring, comma-separated `id=base64`: all of them read secrets at rest"
          + " (for key rotation)."),
  SECRETS_ENCRYPTION_KEY_ID(
      "secrets.encryption-key-id",
      null,
      "Id of the keyring key that writes (`default` is `secrets.encryption-key`); needed when"
          + " the keyring has more than one key."),
  SECRETS_ALLOW_PLAINTEXT(
      "secrets.allow-plaintext",
      "false",
      "`true` reads plain-text `whsec_` secrets found in the endpoints table (migration only;"
          + " `secrets rekey` encrypts them)."),
  SECRETS_ROTATION_GRACE(
      "secrets.rotation-grace",
      "24h",
      "How long the previous secret keeps signing after a rotation."),
  ADMIN_PORT("admin.port", "8080", "Port of the admin API and dashboard."),
  ADMIN_API_KEYS("admin.api-keys", null, "File of `key account_id` lines (standalone makes one)."),
  ADMIN_MAX_ENDPOINTS_PER_ACCOUNT(
      "admin.max-endpoints-per-account",
      "100",
      "Endpoints one account may have that are not revoked; one more is refused with a 409."),
  ADMIN_TEST_EVENTS_PER_MINUTE(
      "admin.test-events-per-minute",
      "10",
      "Test events one account may send a minute, all at once at most; more get a 429."),
  ADMIN_DELIVERY_SEARCH_MAX_ATTEMPTS(
      "admin.delivery-search.max-attempts",
      "2000000",
      "Attempt records the admin's delivery search holds in memory (about 60-120 bytes of heap"
          + " each); at the bound it drops its oldest deliveries, a quarter of the records."),
  METRICS_PORT("metrics.port", "9400", "Port of /metrics and /health."),
  LOG_LEVEL(
      "log.level",
      "info",
      "Least severe level logged: `trace`, `debug`, `info`, `warn` or `error` (Kafka, OkHttp and"
          + " Jetty log `warn` and above at most)."),
  LOG_FORMAT(
      "log.format",
      "text",
      "`text` (one line per event) or `json` (one JSON object per line); both with full ISO 8601"
          + " timestamps (date, time, offset)."),
  STANDALONE_KAFKA_PORT("standalone.kafka-port", "9092", "Port of the embedded broker."),
  STANDALONE_DATA_DIR("standalone.data-dir", "./data", "Where standalone keeps broker data.");

  private final String key;
  private final @Nullable String defaultValue;
  private final String description;

  ConfigKey(String key, @Nullable String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  public String key() {
    return key;
  }

  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  public String description() {
    return description;
  }

  /** {@code kafka.bootstrap-servers} -> {@code FLINTN_KAFKA_BOOTSTRAP_SERVERS}. */
  public String environmentVariable() {
    return "FLINTN_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public static Optional<ConfigKey> byKey(String key) {
    for (ConfigKey k : values()) {
      if (k.key.equals(key)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  public static Optional<ConfigKey> byEnvironmentVariable(String name) {
    for (ConfigKey k : values()) {
      if (k.environmentVariable().equals(name)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** The known key closest to {@code unknown}, for "did you mean" hints. */
  static Optional<String> closest(String unknown) {
    return closest(unknown, ConfigKey::key);
  }

  /** The known environment variable closest to {@code unknown}, for "did you mean" hints. */
  static Optional<String> closestEnvironmentVariable(String unknown) {
    return closest(unknown, ConfigKey::environmentVariable);
  }

  private static Optional<String> closest(String unknown, Function<ConfigKey, String> name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (ConfigKey k : values()) {
      int d = distance(unknown, name.apply(k));
      if (d < bestDistance) {
        bestDistance = d;
        best = name.apply(k);
      }
    }
    return best != null && bestDistance <= 3 ? Optional.of(best) : Optional.empty();
  }

  static List<String> keys() {
    return Arrays.stream(values()).map(ConfigKey::key).toList();
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
