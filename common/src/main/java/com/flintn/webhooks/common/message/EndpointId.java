package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A typed endpoint id: 1-128 letters, digits, {@code _} or {@code -}. */
public record EndpointId(@JsonValue String value) {
  @JsonCreator
  public EndpointId {
    Ids.require("endpoint id", value);
  }

  public static EndpointId of(String value) {
    return new EndpointId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
