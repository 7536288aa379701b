package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The lifecycle of an endpoint, as the customer page names it. */
public enum EndpointStatus {
  /** Receives events normally. */
  ACTIVE,
  /** Temporarily paused, by the customer or after 5 failed attempts; can be reactivated. */
  DISABLED,
  /** Permanently disabled. */
  REVOKED;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
