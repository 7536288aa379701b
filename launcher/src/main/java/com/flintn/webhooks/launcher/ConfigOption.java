package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.FlintnConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --config} option every command shares. */
final class ConfigOption {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Properties or YAML file of configuration keys; FLINTN_* environment variables override it.")
  Path file;

  FlintnConfig load(Map<ConfigKey, String> modeDefaults) {
    return FlintnConfig.load(Optional.ofNullable(file), modeDefaults);
  }

  FlintnConfig load() {
    return load(Map.of());
  }
}
