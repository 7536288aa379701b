package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A typed delivery id: 1-128 letters, digits, {@code _} or {@code -}. */
public record DeliveryId(@JsonValue String value) {
  @JsonCreator
  public DeliveryId {
    Ids.require("delivery id", value);
  }

  public static DeliveryId of(String value) {
    return new DeliveryId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
