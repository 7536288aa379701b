package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the event-type catalogue: a type the product's producers emit, as customers choose
 * it when they subscribe. Kept on the compacted {@code webhooks.event-types} topic, keyed by {@link
 * #name()}; a tombstone removes it (docs/design.md §2, §10).
 *
 * @param name a dotted name such as {@code order.created}
 * @param description what the event means, for the customer choosing it
 * @param schema a JSON Schema of the event's {@code data}, or null when none is published
 * @param updatedAt when an operator last wrote the entry
 */
public record EventType(
    @JsonProperty("name") String name,
    @JsonProperty("description") String description,
    @JsonProperty("schema") @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable JsonNode schema,
    @JsonProperty("updated_at") Instant updatedAt) {

  /** The longest description the catalogue keeps. */
  public static final int MAX_DESCRIPTION = 500;

  public EventType {
    if (!Event.isValidType(name)) {
      throw new IllegalArgumentException(
          "an event type name must be a dotted name such as order.created, got "
              + Printable.quote(String.valueOf(name)));
    }
    Objects.requireNonNull(description, "description");
    if (description.isBlank() || description.length() > MAX_DESCRIPTION) {
      throw new IllegalArgumentException(
          "the description must be 1 to " + MAX_DESCRIPTION + " characters");
    }
    if (schema != null && (schema.isNull() || schema.isMissingNode())) {
      schema = null;
    }
    if (schema != null && !schema.isObject() && !schema.isBoolean()) {
      throw new IllegalArgumentException("the schema must be a JSON object (a JSON Schema)");
    }
  }
}
