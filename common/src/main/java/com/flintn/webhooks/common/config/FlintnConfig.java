package com.flintn.webhooks.common.config;

import com.flintn.webhooks.common.guard.Cidr;
import com.flintn.webhooks.common.message.Printable;
import com.flintn.webhooks.common.sign.SecretCipher;
import com.flintn.webhooks.common.time.Durations;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole typed configuration, one record per concern, checked at start: every error names its
 * key. Load with {@link #load}; see {@link ConfigKey} for every key and default.
 *
 * @param shutdownTimeout longest a stop (SIGTERM, Ctrl-C) of any process takes
 */
public record FlintnConfig(
    KafkaConfig kafka,
    TopicsConfig topics,
    RetryConfig retry,
    HttpConfig http,
    DispatcherConfig dispatcher,
    List<Cidr> urlGuardAllow,
    SecretsConfig secrets,
    AdminConfig admin,
    int metricsPort,
    StandaloneConfig standalone,
    Duration shutdownTimeout) {

  /**
   * Where the brokers are, and the Kafka client properties (TLS, SASL) passed to every client.
   *
   * @param client checked passthrough properties; {@link KafkaClientProperties#toString} hides
   *     their values
   */
  public record KafkaConfig(String bootstrapServers, KafkaClientProperties client) {
    /** Brokers that need no client properties (a plaintext listener, as in tests). */
    public KafkaConfig(String bootstrapServers) {
      this(bootstrapServers, KafkaClientProperties.NONE);
    }
  }

  public record TopicsConfig(String prefix, int partitions, short replicationFactor) {}

  /** Delays before attempts 2..5, strictly increasing. */
  public record RetryConfig(List<Duration> tiers) {
    public RetryConfig {
      tiers = List.copyOf(tiers);
    }
  }

  public record HttpConfig(
      Duration timeout,
      Optional<Path> trustedCertificates,
      int maxInFlightPerEndpoint,
      int maxInFlightPerHost,
      boolean http2) {}

  /**
   * @param maxHold longest a delivery waits in a shared partition for its endpoint before it moves
   *     to the overflow lane
   * @param validateSchemas whether events are checked against their type's schema in the event-type
   *     catalogue
   * @param dedupWindow how long an event id is remembered per partition of the events topic, so
   *     that a repeat within it is not delivered; zero turns de-duplication off
   * @param dedupMaxIds the most event ids remembered per partition; the oldest go first
   */
  public record DispatcherConfig(
      int maxInFlightPerPartition,
      int maxQueuedPerEndpoint,
      int maxEventBytes,
      Duration maxHold,
      boolean validateSchemas,
      Duration dedupWindow,
      int dedupMaxIds) {}

  /**
   * The admin API: its port, its keys, and the per-account limits that keep one account from taking
   * the endpoint table or the delivery path for itself.
   *
   * @param deliverySearchMaxAttempts attempt records the delivery search holds in memory at most
   */
  public record AdminConfig(
      int port,
      Optional<Path> apiKeys,
      int maxEndpointsPerAccount,
      int testEventsPerMinute,
      int deliverySearchMaxAttempts) {}

  /**
   * How signing secrets are kept: encrypted with the keyring {@code cipher}, rotated with a grace
   * period.
   */
  public record SecretsConfig(Optional<SecretCipher> cipher, Duration rotationGrace) {
    /**
     * The cipher, for a process that reads or writes secrets.
     *
     * @throws ConfigException naming {@code secrets.encryption-key} when none is configured
     */
    public SecretCipher requireCipher() {
      return cipher.orElseThrow(
          () ->
              new ConfigException(
                  ConfigKey.SECRETS_ENCRYPTION_KEY.key(),
                  "is required: signing secrets are stored encrypted. Set "
                      + ConfigKey.SECRETS_ENCRYPTION_KEY.environmentVariable()
                      + " to base64 of 32 random bytes (e.g. openssl rand -base64 32), the same"
                      + " for every process"));
    }
  }

  /** The topics of this configuration, whose serdes encrypt secrets when a key is configured. */
  public TopicCatalog topicCatalog() {
    return new TopicCatalog(
        topics.prefix(), retry.tiers(), secrets.cipher(), dispatcher.dedupWindow());
  }

  public record StandaloneConfig(int kafkaPort, Path dataDir) {}

  /**
   * This configuration pointed at other brokers, with the same client properties (standalone points
   * it at its own).
   */
  public FlintnConfig withBootstrapServers(String bootstrapServers) {
    return new FlintnConfig(
        new KafkaConfig(bootstrapServers, kafka.client()),
        topics,
        retry,
        http,
        dispatcher,
        urlGuardAllow,
        secrets,
        admin,
        metricsPort,
        standalone,
        shutdownTimeout);
  }

  /** Loads from the file and the process environment; see {@link ConfigValues#load}. */
  public static FlintnConfig load(Optional<Path> file, Map<ConfigKey, String> modeDefaults) {
    return from(ConfigValues.load(file, System.getenv(), modeDefaults));
  }

  public static FlintnConfig from(ConfigValues v) {
    return new FlintnConfig(
        new KafkaConfig(v.require(ConfigKey.KAFKA_BOOTSTRAP_SERVERS), v.kafkaClient()),
        new TopicsConfig(
            topicPrefix(v.require(ConfigKey.TOPICS_PREFIX)),
            intIn(v, ConfigKey.TOPICS_PARTITIONS, 1, 10_000),
            (short) intIn(v, ConfigKey.TOPICS_REPLICATION_FACTOR, 1, 32)),
        new RetryConfig(tiers(v.require(ConfigKey.RETRY_TIERS))),
        new HttpConfig(
            positive(ConfigKey.HTTP_TIMEOUT, v.require(ConfigKey.HTTP_TIMEOUT)),
            v.get(ConfigKey.HTTP_TRUSTED_CERTIFICATES)
                .map(p -> readableFile(ConfigKey.HTTP_TRUSTED_CERTIFICATES, p)),
            intIn(v, ConfigKey.HTTP_MAX_IN_FLIGHT_PER_ENDPOINT, 1, 10_000),
            intIn(v, ConfigKey.HTTP_MAX_IN_FLIGHT_PER_HOST, 1, 100_000),
            bool(v, ConfigKey.HTTP_HTTP2)),
        new DispatcherConfig(
            intIn(v, ConfigKey.DISPATCHER_MAX_IN_FLIGHT_PER_PARTITION, 1, 100_000),
            intIn(v, ConfigKey.DISPATCHER_MAX_QUEUED_PER_ENDPOINT, 0, 100_000),
            intIn(v, ConfigKey.EVENTS_MAX_BYTES, 1024, 16 * 1024 * 1024),
            positive(ConfigKey.DISPATCHER_MAX_HOLD, v.require(ConfigKey.DISPATCHER_MAX_HOLD)),
            bool(v, ConfigKey.EVENTS_VALIDATE_SCHEMAS),
            dedupWindow(v.require(ConfigKey.EVENTS_DEDUP_WINDOW)),
            intIn(v, ConfigKey.EVENTS_DEDUP_MAX_IDS, 1000, 500_000_000)),
        cidrs(v.get(ConfigKey.URL_GUARD_ALLOW).orElse("")),
        new SecretsConfig(
            keyring(v),
            duration(
                ConfigKey.SECRETS_ROTATION_GRACE.key(),
                v.require(ConfigKey.SECRETS_ROTATION_GRACE))),
        new AdminConfig(
            intIn(v, ConfigKey.ADMIN_PORT, 0, 65_535),
            v.get(ConfigKey.ADMIN_API_KEYS).map(p -> readableFile(ConfigKey.ADMIN_API_KEYS, p)),
            intIn(v, ConfigKey.ADMIN_MAX_ENDPOINTS_PER_ACCOUNT, 1, 100_000),
            intIn(v, ConfigKey.ADMIN_TEST_EVENTS_PER_MINUTE, 1, 10_000),
            intIn(v, ConfigKey.ADMIN_DELIVERY_SEARCH_MAX_ATTEMPTS, 1_000, 200_000_000)),
        intIn(v, ConfigKey.METRICS_PORT, 0, 65_535),
        new StandaloneConfig(
            intIn(v, ConfigKey.STANDALONE_KAFKA_PORT, 0, 65_535),
            Path.of(v.require(ConfigKey.STANDALONE_DATA_DIR))),
        positive(ConfigKey.SHUTDOWN_TIMEOUT, v.require(ConfigKey.SHUTDOWN_TIMEOUT)));
  }

  static List<Duration> tiers(String text) {
    String key = ConfigKey.RETRY_TIERS.key();
    String[] parts = text.split(",", -1);
    if (parts.length != 4) {
      throw new ConfigException(
          key, "needs exactly 4 durations (before attempts 2, 3, 4 and 5), got " + parts.length);
    }
    List<Duration> tiers = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      Duration d = duration(key + "[" + i + "]", parts[i]);
      if (d.isZero()) {
        throw new ConfigException(key + "[" + i + "]", "must be more than 0");
      }
      if (i > 0 && d.compareTo(tiers.get(i - 1)) <= 0) {
        throw new ConfigException(
            key + "[" + i + "]",
            "must be > "
                + key
                + "["
                + (i - 1)
                + "] ("
                + parts[i].trim()
                + " <= "
                + parts[i - 1].trim()
                + ")");
      }
      tiers.add(d);
    }
    return tiers;
  }

  private static String topicPrefix(String prefix) {
    if (!prefix.matches("[A-Za-z0-9._-]{1,100}") || prefix.endsWith(".")) {
      throw new ConfigException(
          ConfigKey.TOPICS_PREFIX.key(),
          "'" + prefix + "' must be letters, digits, '.', '_' or '-', not ending in '.'");
    }
    return prefix;
  }

  private static int intIn(ConfigValues v, ConfigKey key, int min, int max) {
    String text = v.require(key);
    int n;
    try {
      n = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key.key(), "'" + text + "' is not a whole number");
    }
    if (n < min || n > max) {
      throw new ConfigException(key.key(), n + " is out of range " + min + ".." + max);
    }
    return n;
  }

  /** A duration as {@link Durations} reads it; a bad one stops startup naming {@code key}. */
  private static Duration duration(String key, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, Printable.message(e));
    }
  }

  /**
   * {@code events.dedup-window}: a duration, {@code 0} (off), at most 30 days (the memory it costs
   * grows with it, docs/design.md §6.7).
   */
  static Duration dedupWindow(String text) {
    String key = ConfigKey.EVENTS_DEDUP_WINDOW.key();
    if (text.trim().equals("0")) {
      return Duration.ZERO;
    }
    Duration d = duration(key, text);
    if (d.compareTo(MAX_DEDUP_WINDOW) > 0) {
      throw new ConfigException(
          key, "'" + text.trim() + "' is longer than " + Durations.format(MAX_DEDUP_WINDOW));
    }
    return d;
  }

  /** The longest {@code events.dedup-window}. */
  public static final Duration MAX_DEDUP_WINDOW = Duration.ofDays(30);

  private static Duration positive(ConfigKey key, String text) {
    Duration d = duration(key.key(), text);
    if (d.isZero()) {
      throw new ConfigException(key.key(), "must be more than 0");
    }
    return d;
  }

  private static Path readableFile(ConfigKey key, String path) {
    Path p = Path.of(path);
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new ConfigException(key.key(), "no readable file at " + p.toAbsolutePath());
    }
    return p;
  }

  /**
   * The keyring of {@code secrets.encryption-key} (id {@value SecretCipher#DEFAULT_KEY_ID}) and
   * {@code secrets.encryption-keys}, writing with {@code secrets.encryption-key-id}; empty when no
   * key is configured. Every error names its key and never contains key material.
   */
  static Optional<SecretCipher> keyring(ConfigValues v) {
    String listKey = ConfigKey.SECRETS_ENCRYPTION_KEYS.key();
    String idKey = ConfigKey.SECRETS_ENCRYPTION_KEY_ID.key();
    boolean allowPlaintext = bool(v, ConfigKey.SECRETS_ALLOW_PLAINTEXT);
    Map<String, byte[]> keys = new java.util.LinkedHashMap<>();
    Optional<String> legacy = v.get(ConfigKey.SECRETS_ENCRYPTION_KEY);
    if (legacy.isPresent()) {
      try {
        keys.put(SecretCipher.DEFAULT_KEY_ID, SecretCipher.parseKey(legacy.get()));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(ConfigKey.SECRETS_ENCRYPTION_KEY.key(), Printable.message(e));
      }
    }
    String[] entries = v.get(ConfigKey.SECRETS_ENCRYPTION_KEYS).orElse("").split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      String at = listKey + "[" + i + "]";
      int eq = entry.indexOf('=');
      if (eq <= 0 || entry.substring(eq).matches("=*")) { // a bare base64 key ends in '='
        throw new ConfigException(at, "must be id=base64-key (e.g. k2=$(openssl rand -base64 32))");
      }
      String id = entry.substring(0, eq).trim();
      try {
        SecretCipher.checkKeyId(id);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(at, Printable.message(e));
      }
      if (keys.containsKey(id)) {
        throw new ConfigException(
            at,
            "key id '"
                + id
                + "' appears twice"
                + (id.equals(SecretCipher.DEFAULT_KEY_ID) && legacy.isPresent()
                    ? " (it is the id of " + ConfigKey.SECRETS_ENCRYPTION_KEY.key() + ")"
                    : ""));
      }
      try {
        keys.put(id, SecretCipher.parseKey(entry.substring(eq + 1)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(at, "key '" + id + "' " + e.getMessage());
      }
    }
    Optional<String> writer = v.get(ConfigKey.SECRETS_ENCRYPTION_KEY_ID);
    if (keys.isEmpty()) {
      if (writer.isPresent()) {
        throw new ConfigException(
            idKey,
            "names a key, but neither "
                + ConfigKey.SECRETS_ENCRYPTION_KEY.key()
                + " nor "
                + listKey
                + " is set");
      }
      return Optional.empty();
    }
    String writeId;
    if (writer.isPresent()) {
      writeId = writer.get();
      if (!keys.containsKey(writeId)) {
        throw new ConfigException(
            idKey,
            "'"
                + writeId
                + "' is not a key of the keyring (its ids: "
                + String.join(", ", keys.keySet())
                + ")");
      }
    } else if (legacy.isPresent()) {
      writeId = SecretCipher.DEFAULT_KEY_ID; // adding keys to the ring never changes the writer
    } else if (keys.size() == 1) {
      writeId = keys.keySet().iterator().next();
    } else {
      throw new ConfigException(
          idKey,
          "is required: "
              + listKey
              + " has "
              + keys.size()
              + " keys ("
              + String.join(", ", keys.keySet())
              + "); say which one writes");
    }
    boolean legacyOnly = legacy.isPresent() && keys.size() == 1;
    return Optional.of(SecretCipher.keyring(keys, writeId, allowPlaintext, legacyOnly));
  }

  private static boolean bool(ConfigValues v, ConfigKey key) {
    String text = v.get(key).orElse("false");
    return switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(key.key(), "'" + text + "' must be true or false");
    };
  }

  private static List<Cidr> cidrs(String text) {
    List<Cidr> out = new ArrayList<>();
    String[] parts = text.split(",", -1);
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].isBlank()) {
        continue;
      }
      try {
        out.add(Cidr.parse(parts[i]));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            ConfigKey.URL_GUARD_ALLOW.key() + "[" + i + "]", Printable.message(e));
      }
    }
    return out;
  }
}
