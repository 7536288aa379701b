package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A typed account id: 1-128 letters, digits, {@code _} or {@code -}. */
public record AccountId(@JsonValue String value) {
  @JsonCreator
  public AccountId {
    Ids.require("account id", value);
  }

  public static AccountId of(String value) {
    return new AccountId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
