package com.flintn.webhooks.dispatcher.record;

import com.flintn.webhooks.common.eventtype.EventTypeView;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventType;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks an event's {@code data} against the JSON Schema its type has in the event-type catalogue
 * ({@code events.validate-schemas}). A type without a schema, or not in the catalogue, passes. A
 * schema is compiled once per catalogue entry (a changed entry is compiled again); references to
 * other documents are never fetched, so a schema cannot make the dispatcher open a connection. A
 * schema that cannot be compiled is logged once and its events pass: an operator's mistake in a
 * schema does not turn producers' events away. Thread safe.
 */
public final class EventSchemas {
  private static final Logger log = LoggerFactory.getLogger(EventSchemas.class);
  private static final int MAX_REASONS = 3;
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          b -> b.schemaLoader(loader -> loader.fetchRemoteResources(false)));

  private final EventTypeView catalogue;

  /** The compiled schema of each type, with the catalogue entry it was compiled from. */
  private final Map<String, Compiled> compiled = new ConcurrentHashMap<>();

  private record Compiled(EventType from, Optional<Schema> schema) {}

  public EventSchemas(EventTypeView catalogue) {
    this.catalogue = catalogue;
  }

  /**
   * Compiles {@code schema} (a JSON Schema document), for a check before it is published.
   *
   * @throws IllegalArgumentException naming what is wrong, if it cannot be compiled
   */
  public static void requireCompilable(String schema) {
    try {
      REGISTRY.getSchema(schema, InputFormat.JSON).initializeValidators();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a usable JSON Schema: " + e.getMessage(), e);
    }
  }

  /** Why {@code event}'s data does not match its type's schema, in one line; empty if it does. */
  public Optional<String> problem(Event event) {
    Optional<EventType> type = catalogue.get(event.eventType());
    if (type.isEmpty() || type.get().schema() == null) {
      return Optional.empty();
    }
    Optional<Schema> schema = schemaOf(type.get());
    if (schema.isEmpty()) {
      return Optional.empty();
    }
    List<Error> errors;
    try {
      errors = schema.get().validate(event.data().toString(), InputFormat.JSON);
    } catch (RuntimeException e) {
      // a reference the schema cannot resolve here, say: the schema's fault, not the event's
      log.warn(
          "checking events of type {} against its schema failed, so they are not checked: {}",
          type.get().name(),
          e.getMessage());
      compiled.put(type.get().name(), new Compiled(type.get(), Optional.empty())); // once
      return Optional.empty();
    }
    if (errors.isEmpty()) {
      return Optional.empty();
    }
    String reasons =
        errors.stream()
            .limit(MAX_REASONS)
            .map(e -> e.getInstanceLocation() + ": " + e.getMessage())
            .collect(Collectors.joining("; "));
    return Optional.of(
        "data does not match the schema of "
            + event.eventType()
            + ": "
            + reasons
            + (errors.size() > MAX_REASONS
                ? " (and " + (errors.size() - MAX_REASONS) + " more)"
                : ""));
  }

  // Identity on purpose: the cache holds the schema compiled from this very catalogue entry, and a
  // changed entry is a new object; comparing by value would walk the schema on every event.
  @SuppressWarnings("ReferenceEquality")
  private Optional<Schema> schemaOf(EventType type) {
    Compiled c = compiled.get(type.name());
    if (c != null && c.from() == type) {
      return c.schema();
    }
    String text = Objects.requireNonNull(type.schema(), "only types with a schema").toString();
    Optional<Schema> schema;
    try {
      Schema s = REGISTRY.getSchema(text, InputFormat.JSON);
      s.initializeValidators();
      schema = Optional.of(s);
    } catch (RuntimeException e) {
      log.warn(
          "the schema of event type {} cannot be compiled, so its events are not checked: {}",
          type.name(),
          e.getMessage());
      schema = Optional.empty();
    }
    compiled.put(type.name(), new Compiled(type, schema));
    return schema;
  }
}
