package com.flintn.webhooks.common.config;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Kafka client properties the operator passes to every Kafka client the product creates: how to
 * reach a secured cluster (TLS, SASL), set as {@code kafka.client.<property>} in the config file or
 * {@code FLINTN_KAFKA_CLIENT_<PROPERTY>} in the environment (docs/design.md §10).
 *
 * <p>Only properties of Kafka's producer, consumer or admin client are accepted, so a misspelled
 * name stops startup instead of being ignored. Properties the product sets itself ({@link
 * #PRODUCT_OWNED}) are refused: they carry its guarantees (no loss, no duplicates, reading only
 * committed records) or its tuning, and the product's value would win anyway.
 *
 * <p>Values may be secrets ({@code sasl.jaas.config}, passwords): {@link #toString} shows names
 * only, and no error message quotes a value.
 */
public final class KafkaClientProperties {
  /** Prefix of passthrough keys in a config file. */
  public static final String KEY_PREFIX = "kafka.client.";

  /** Prefix of passthrough environment variables. */
  public static final String ENVIRONMENT_PREFIX = "FLINTN_KAFKA_CLIENT_";

  public static final KafkaClientProperties NONE = new KafkaClientProperties(Map.of());

  private static final String CORRECTNESS =
      "the product sets it on each client to keep its delivery guarantees";
  private static final String PER_CLIENT = "the product gives each client its own";
  private static final String TUNING = "the product tunes it per client";

  /** Properties the product sets itself, with why; a passthrough of one of them is refused. */
  public static final Map<String, String> PRODUCT_OWNED =
      Map.ofEntries(
          Map.entry("bootstrap.servers", "set it with " + ConfigKey.KAFKA_BOOTSTRAP_SERVERS.key()),
          Map.entry("client.id", PER_CLIENT),
          Map.entry("group.id", PER_CLIENT),
          Map.entry("group.instance.id", PER_CLIENT),
          Map.entry("transactional.id", PER_CLIENT),
          Map.entry("acks", CORRECTNESS),
          Map.entry("enable.idempotence", CORRECTNESS),
          Map.entry("retries", CORRECTNESS),
          Map.entry("max.in.flight.requests.per.connection", CORRECTNESS),
          Map.entry("transaction.timeout.ms", CORRECTNESS),
          Map.entry("delivery.timeout.ms", CORRECTNESS),
          Map.entry("partitioner.class", CORRECTNESS),
          Map.entry("partitioner.ignore.keys", CORRECTNESS),
          Map.entry("isolation.level", CORRECTNESS),
          Map.entry("enable.auto.commit", CORRECTNESS),
          Map.entry("auto.offset.reset", CORRECTNESS),
          Map.entry("group.protocol", CORRECTNESS),
          Map.entry("group.remote.assignor", CORRECTNESS),
          Map.entry("partition.assignment.strategy", CORRECTNESS),
          Map.entry("key.serializer", CORRECTNESS),
          Map.entry("value.serializer", CORRECTNESS),
          Map.entry("key.deserializer", CORRECTNESS),
          Map.entry("value.deserializer", CORRECTNESS),
          Map.entry("max.request.size", CORRECTNESS),
          Map.entry("session.timeout.ms", TUNING),
          Map.entry("heartbeat.interval.ms", TUNING),
          Map.entry("max.poll.records", TUNING),
          Map.entry("fetch.max.wait.ms", TUNING),
          Map.entry("fetch.max.bytes", TUNING),
          Map.entry("max.partition.fetch.bytes", TUNING),
          Map.entry("linger.ms", TUNING),
          Map.entry("batch.size", TUNING),
          Map.entry("compression.type", TUNING),
          Map.entry("max.block.ms", TUNING),
          Map.entry("request.timeout.ms", TUNING),
          Map.entry("default.api.timeout.ms", TUNING));

  /**
   * Every property name Kafka's producer, consumer or admin client knows. A holder of its own:
   * loading Kafka's config classes makes the first slf4j logger, and the configuration is read (for
   * {@code log.format}) before logging is set up.
   */
  private static final class Names {
    static final SortedSet<String> CLIENT_PROPERTIES;

    static {
      SortedSet<String> names = new TreeSet<>();
      names.addAll(ProducerConfig.configNames());
      names.addAll(ConsumerConfig.configNames());
      names.addAll(AdminClientConfig.configNames());
      CLIENT_PROPERTIES = Collections.unmodifiableSortedSet(names);
    }
  }

  private final Map<String, String> properties;

  private KafkaClientProperties(Map<String, String> properties) {
    this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
  }

  /**
   * Checks and keeps {@code properties} (Kafka property name to value).
   *
   * @throws ConfigException naming {@code kafka.client.<property>} when a property is not a Kafka
   *     client property or is one the product sets itself
   */
  public static KafkaClientProperties of(Map<String, String> properties) {
    return of(properties, Map.of());
  }

  /**
   * As {@link #of(Map)}, naming in an error where each property was set: {@code sources} maps a
   * property to its environment variable or key (by default its key).
   */
  public static KafkaClientProperties of(
      Map<String, String> properties, Map<String, String> sources) {
    for (String name : properties.keySet()) {
      String where = sources.getOrDefault(name, key(name));
      check(
          name,
          where,
          where.startsWith(ENVIRONMENT_PREFIX)
              ? KafkaClientProperties::environmentVariable
              : KafkaClientProperties::key);
    }
    return new KafkaClientProperties(properties);
  }

  /**
   * The Kafka property a passthrough environment variable sets: {@code
   * FLINTN_KAFKA_CLIENT_SASL_JAAS_CONFIG} -> {@code sasl.jaas.config}. Kafka's client property
   * names are lower case words joined by dots, so the mapping is exact. The name is checked by
   * {@link #of(Map, Map)}.
   *
   * @return empty when {@code name} does not start with {@link #ENVIRONMENT_PREFIX}
   */
  public static Optional<String> propertyOfEnvironmentVariable(String name) {
    if (!name.startsWith(ENVIRONMENT_PREFIX)) {
      return Optional.empty();
    }
    return Optional.of(
        name.substring(ENVIRONMENT_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'));
  }

  /** The passthrough key of {@code property}: {@code sasl.mechanism} -> {@code kafka.client...}. */
  public static String key(String property) {
    return KEY_PREFIX + property;
  }

  /** The environment variable of {@code property}: {@code sasl.mechanism} -> {@code FLINTN_...}. */
  public static String environmentVariable(String property) {
    return ENVIRONMENT_PREFIX + property.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** Every property name the passthrough accepts. */
  public static SortedSet<String> accepted() {
    SortedSet<String> out = new TreeSet<>(Names.CLIENT_PROPERTIES);
    out.removeAll(PRODUCT_OWNED.keySet());
    return out;
  }

  private static void check(
      String property, String where, java.util.function.Function<String, String> spell) {
    if (property.isEmpty()) {
      throw new ConfigException(
          where, "names no Kafka client property (e.g. " + spell.apply("security.protocol") + ")");
    }
    String owned = PRODUCT_OWNED.get(property);
    if (owned != null) {
      throw new ConfigException(
          where, "'" + property + "' cannot be passed to the Kafka clients: " + owned);
    }
    if (!Names.CLIENT_PROPERTIES.contains(property)) {
      throw new ConfigException(
          where,
          "'"
              + property
              + "' is not a Kafka producer, consumer or admin client property"
              + closest(property).map(c -> " (did you mean " + spell.apply(c) + "?)").orElse(""));
    }
  }

  private static Optional<String> closest(String unknown) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : accepted()) {
      int d = ConfigKey.distance(unknown, name);
      if (d < bestDistance) {
        bestDistance = d;
        best = name;
      }
    }
    return best != null && bestDistance <= 3 ? Optional.of(best) : Optional.empty();
  }

  /** Property name to value, sorted by name. */
  public Map<String, String> asMap() {
    return properties;
  }

  public boolean isEmpty() {
    return properties.isEmpty();
  }

  /**
   * The properties that a client whose configuration knows {@code names} accepts, so a consumer is
   * not handed producer-only settings (Kafka would log each as unknown).
   */
  public Map<String, String> forClient(Set<String> names) {
    Map<String, String> out = new TreeMap<>();
    properties.forEach(
        (k, v) -> {
          if (names.contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaClientProperties other && other.properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return properties.hashCode();
  }

  /** Names only: values may be credentials. */
  @Override
  public String toString() {
    return "KafkaClientProperties" + properties.keySet();
  }
}
