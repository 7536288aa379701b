package com.flintn.webhooks.common.event;

import java.util.Locale;

/** Why a record on {@code webhooks.events} was refused; the {@code invalid-reason} header value. */
public enum InvalidReason {
  EMPTY,
  TOO_LARGE,
  NOT_JSON,
  TOO_DEEP,
  NOT_AN_OBJECT,
  MISSING_FIELD,
  INVALID_FIELD,
  UNKNOWN_FIELD,
  /** {@code data} does not match its type's schema ({@code events.validate-schemas}). */
  SCHEMA_INVALID;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
