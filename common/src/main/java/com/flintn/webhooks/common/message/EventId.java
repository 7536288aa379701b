package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A typed event id: 1-128 letters, digits, {@code _} or {@code -}. */
public record EventId(@JsonValue String value) {
  @JsonCreator
  public EventId {
    Ids.require("event id", value);
  }

  public static EventId of(String value) {
    return new EventId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
