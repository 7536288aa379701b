package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Applies {@code log.level} and {@code log.format} before anything logs: slf4j-simple reads its
 * {@code org.slf4j.simpleLogger.*} system properties once, when the first logger is made. The
 * configuration is read here from the command line's {@code --config} and the environment, ahead of
 * the command; any other configuration error is left for the command to report.
 */
final class LogSetup {
  static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");
  static final List<String> FORMATS = List.of("text", "json");

  /** Libraries kept at {@code warn} in simplelogger.properties; {@code error} quiets them too. */
  static final List<String> LIBRARIES =
      List.of(
          "org.apache.kafka",
          "kafka",
          "state.change.logger",
          "okhttp3",
          "io.javalin",
          "org.eclipse.jetty");

  private static final String PREFIX = "org.slf4j.simpleLogger.";

  private LogSetup() {}

  /**
   * @throws ConfigException naming {@code log.level} or {@code log.format} when either is not one
   *     of its values
   */
  static void apply(String[] args, Map<String, String> environment) {
    ConfigValues values;
    try {
      values = ConfigValues.load(configFile(args), environment, Map.of());
    } catch (ConfigException e) {
      return; // the command loads the configuration again and reports this
    }
    String level = oneOf(values, ConfigKey.LOG_LEVEL, LEVELS);
    String format = oneOf(values, ConfigKey.LOG_FORMAT, FORMATS);
    System.setProperty(PREFIX + "defaultLogLevel", level);
    if (level.equals("error")) {
      LIBRARIES.forEach(name -> System.setProperty(PREFIX + "log." + name, "error"));
    }
    if (format.equals("json")) {
      System.setProperty("slf4j.provider", JsonLogProvider.class.getName());
      // slf4j would announce the provider in a line of its own, which is no JSON.
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
  }

  private static String oneOf(ConfigValues values, ConfigKey key, List<String> allowed) {
    String value = values.require(key).toLowerCase(Locale.ROOT);
    if (!allowed.contains(value)) {
      throw new ConfigException(
          key.key(), "must be one of " + String.join(", ", allowed) + ", not " + value);
    }
    return value;
  }

  /** The value of {@code --config FILE} or {@code --config=FILE}, wherever it stands. */
  static Optional<Path> configFile(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Optional.of(Path.of(args[i + 1]));
      }
      if (args[i].startsWith("--config=")) {
        return Optional.of(Path.of(args[i].substring("--config=".length())));
      }
    }
    return Optional.empty();
  }
}
