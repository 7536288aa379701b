package com.flintn.webhooks.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Raw configuration text per key, layered: built-in defaults, then the caller's defaults
 * (standalone has its own), then the {@code --config} file (properties or YAML), then the
 * environment, which wins. Unknown keys in a file, and unknown {@code FLINTN_*} environment
 * variables, are an error, so a typo does not silently fall back to a default.
 *
 * <p>Besides the {@link ConfigKey}s, {@code kafka.client.<property>} keys and {@code
 * FLINTN_KAFKA_CLIENT_<PROPERTY>} variables pass Kafka client properties through ({@link
 * KafkaClientProperties}); the environment wins here too, and a blank value removes the property.
 */
public final class ConfigValues {
  /**
   * {@code FLINTN_*} environment variables that are not configuration keys but are read elsewhere,
   * so they are not refused: {@code FLINTN_JAVA_OPTS} carries extra JVM options through {@code
   * bin/flintn-webhooks}.
   */
  public static final Set<String> OTHER_ENVIRONMENT_VARIABLES = Set.of("FLINTN_JAVA_OPTS");

  private static final String ENVIRONMENT_PREFIX = "FLINTN_";

  private final Map<ConfigKey, String> values;
  private final Map<String, String> kafkaClient;
  private final Map<String, String> kafkaClientSources;

  private ConfigValues(
      Map<ConfigKey, String> values,
      Map<String, String> kafkaClient,
      Map<String, String> kafkaClientSources) {
    this.values = values;
    this.kafkaClient = kafkaClient;
    this.kafkaClientSources = kafkaClientSources;
  }

  /**
   * @param file the {@code --config} file, if one was given
   * @param environment usually {@link System#getenv()}
   * @param modeDefaults defaults of the running mode that replace the built-in ones
   * @throws ConfigException naming the key (or the file) at fault
   */
  public static ConfigValues load(
      Optional<Path> file, Map<String, String> environment, Map<ConfigKey, String> modeDefaults) {
    Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
    for (ConfigKey k : ConfigKey.values()) {
      k.defaultValue().ifPresent(v -> values.put(k, v));
    }
    values.putAll(modeDefaults);
    Map<String, String> kafkaClient = new TreeMap<>();
    Map<String, String> kafkaClientSources = new TreeMap<>();
    if (file.isPresent()) {
      readFile(file.get())
          .forEach(
              (key, value) -> {
                if (key.startsWith(KafkaClientProperties.KEY_PREFIX)) {
                  String property = key.substring(KafkaClientProperties.KEY_PREFIX.length());
                  kafkaClient.put(property, value);
                  kafkaClientSources.put(property, key);
                } else {
                  values.put(known(key, file.get()), value);
                }
              });
    }
    checkEnvironment(environment);
    for (ConfigKey k : ConfigKey.values()) {
      String env = environment.get(k.environmentVariable());
      if (env != null) {
        values.put(k, env);
      }
    }
    new TreeMap<>(environment)
        .forEach(
            (name, value) ->
                KafkaClientProperties.propertyOfEnvironmentVariable(name)
                    .ifPresent(
                        property -> {
                          kafkaClient.put(property, value);
                          kafkaClientSources.put(property, name);
                        }));
    kafkaClient.values().removeIf(String::isBlank);
    kafkaClient.replaceAll((property, value) -> value.trim());
    return new ConfigValues(values, kafkaClient, kafkaClientSources);
  }

  /**
   * The Kafka client properties passed through, checked here rather than at {@link #load}: the
   * check loads Kafka's config classes, which log, and the configuration is read once before
   * logging is set up.
   *
   * @throws ConfigException naming the key or environment variable of a property that is not a
   *     Kafka client property or is one the product sets itself
   */
  public KafkaClientProperties kafkaClient() {
    return KafkaClientProperties.of(kafkaClient, kafkaClientSources);
  }

  public Optional<String> get(ConfigKey key) {
    String v = values.get(key);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  public String require(ConfigKey key) {
    return get(key).orElseThrow(() -> new ConfigException(key.key(), "is required"));
  }

  private static ConfigKey known(String key, Path file) {
    return ConfigKey.byKey(key)
        .orElseThrow(
            () ->
                new ConfigException(
                    key,
                    "unknown key in "
                        + file
                        + ConfigKey.closest(key)
                            .map(c -> " (did you mean " + c + "?)")
                            .orElse("")));
  }

  /**
   * Refuses a {@code FLINTN_*} variable that is neither a key's variable, a Kafka client
   * passthrough (checked on its own) nor an allowed other.
   */
  private static void checkEnvironment(Map<String, String> environment) {
    List<String> unknown =
        environment.keySet().stream()
            .filter(name -> name.startsWith(ENVIRONMENT_PREFIX))
            .filter(name -> !OTHER_ENVIRONMENT_VARIABLES.contains(name))
            .filter(name -> ConfigKey.byEnvironmentVariable(name).isEmpty())
            .filter(name -> !name.startsWith(KafkaClientProperties.ENVIRONMENT_PREFIX))
            .sorted()
            .toList();
    if (!unknown.isEmpty()) {
      String name = unknown.get(0);
      throw new ConfigException(
          name,
          "unknown environment variable"
              + ConfigKey.closestEnvironmentVariable(name)
                  .map(c -> " (did you mean " + c + "?)")
                  .orElse(""));
    }
  }

  private static Map<String, String> readFile(Path file) {
    String name = file.getFileName().toString();
    if (!Files.exists(file)) {
      throw new ConfigException("--config", "no such file " + file);
    }
    try {
      if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        Map<String, String> flat = new LinkedHashMap<>();
        if (root != null) {
          flatten("", root, flat);
        }
        return flat;
      }
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      }
      Map<String, String> flat = new LinkedHashMap<>();
      p.stringPropertyNames().forEach(k -> flat.put(k, p.getProperty(k)));
      return flat;
    } catch (IOException e) {
      throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage());
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(item -> items.add(item.asText()));
      out.put(prefix, String.join(",", items));
    } else {
      out.put(prefix, node.isNull() ? "" : node.asText());
    }
  }
}
