package com.flintn.webhooks.common.config;

import java.io.Serial;

/** A configuration value is missing, malformed or out of range. The message names the key. */
public final class ConfigException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  private final String key;

  public ConfigException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  /** The configuration key at fault, such as {@code http.timeout}. */
  public String key() {
    return key;
  }
}
