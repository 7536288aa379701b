package com.flintn.webhooks.launcher;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.eventtype.EventTypeNames;
import com.flintn.webhooks.common.eventtype.EventTypeView;
import com.flintn.webhooks.common.eventtype.EventTypeWriter;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.EventType;
import com.flintn.webhooks.common.message.Printable;
import com.flintn.webhooks.dispatcher.record.EventSchemas;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "event-types",
    mixinStandardHelpOptions = true,
    description = {
      "Manages the event-type catalogue (webhooks.event-types): the event types this service",
      "emits, which customers choose from when they subscribe. While it is empty, endpoints may",
      "subscribe to any well-formed name; once it holds a type, only catalogued types (or *)."
    },
    subcommands = {
      EventTypesCommand.Put.class,
      EventTypesCommand.ListTypes.class,
      EventTypesCommand.Remove.class
    })
final class EventTypesCommand implements Runnable {
  static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "say what to do: event-types put, list or remove");
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = "Adds an event type to the catalogue, or replaces its description and schema.")
  static final class Put implements Callable<Integer> {
    @Mixin ConfigOption config;

    @Option(
        names = "--name",
        required = true,
        paramLabel = "TYPE",
        description = "The event type, a dotted name such as order.created.")
    String name;

    @Option(
        names = "--description",
        required = true,
        paramLabel = "TEXT",
        description = "What the event means, as customers read it (1 to 500 characters).")
    String description;

    @Option(
        names = "--schema",
        paramLabel = "FILE",
        description = "A JSON Schema of the event's data object, published to customers.")
    Path schema;

    @Override
    public Integer call() throws Exception {
      EventType type;
      try {
        type =
            new EventType(
                name, description.strip(), readSchema(schema), Clock.systemUTC().instant());
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException(Printable.message(e));
      }
      FlintnConfig c = config.load();
      try (EventTypeWriter writer = writer(c)) {
        writer.put(type);
      } catch (ExecutionException | TimeoutException e) {
        throw unreachable(c, "write to");
      }
      System.out.printf(
          "put %s%s in %s%n",
          type.name(),
          type.schema() == null ? "" : " (with a schema)",
          c.topicCatalog().eventTypes().name());
      return Main.OK;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the catalogue: name, whether a schema is published, description.")
  static final class ListTypes implements Callable<Integer> {
    @Mixin ConfigOption config;

    @Override
    public Integer call() throws Exception {
      FlintnConfig c = config.load();
      List<EventType> all = read(c);
      PrintStream out = System.out;
      if (all.isEmpty()) {
        out.println(
            "the catalogue is empty: endpoints may subscribe to any well-formed event type name");
        return Main.OK;
      }
      int width = all.stream().mapToInt(t -> t.name().length()).max().orElse(10);
      for (EventType t : all) {
        out.printf(
            "%-" + width + "s  %-6s  %s%n",
            t.name(),
            t.schema() == null ? "" : "schema",
            t.description().replaceAll("\\s+", " "));
      }
      out.printf("%d event type%s%n", all.size(), all.size() == 1 ? "" : "s");
      return Main.OK;
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = {
        "Removes an event type from the catalogue: new subscriptions to it are refused;",
        "endpoints already subscribed to it keep receiving it."
      })
  static final class Remove implements Callable<Integer> {
    @Mixin ConfigOption config;

    @Option(
        names = "--name",
        required = true,
        paramLabel = "TYPE",
        description = "The event type to remove.")
    String name;

    @Override
    public Integer call() throws Exception {
      FlintnConfig c = config.load();
      List<EventType> all = read(c);
      List<String> names = all.stream().map(EventType::name).toList();
      if (!names.contains(name)) {
        Optional<String> near = EventTypeNames.suggestion(name, names);
        throw new IllegalStateException(
            "no event type "
                + Printable.quote(name)
                + " in the catalogue"
                + near.map(n -> " (did you mean " + Printable.quote(n) + "?)").orElse(""));
      }
      try (EventTypeWriter writer = writer(c)) {
        writer.remove(name);
      } catch (ExecutionException | TimeoutException e) {
        throw unreachable(c, "write to");
      }
      System.out.printf(
          "removed %s from %s; endpoints subscribed to it keep receiving it%n",
          name, c.topicCatalog().eventTypes().name());
      return Main.OK;
    }
  }

  static @Nullable JsonNode readSchema(@Nullable Path file) {
    if (file == null) {
      return null;
    }
    try {
      JsonNode schema = Json.mapper().readTree(Files.readAllBytes(file));
      if (schema == null || !schema.isObject()) {
        throw new Main.UsageException(
            "--schema: " + file + " must hold a JSON object (a JSON Schema)");
      }
      try {
        EventSchemas.requireCompilable(schema.toString());
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException("--schema: " + file + " is " + e.getMessage());
      }
      return schema;
    } catch (NoSuchFileException e) {
      throw new Main.UsageException("--schema: no such file " + file);
    } catch (JacksonException e) {
      throw new Main.UsageException(
          "--schema: "
              + file
              + " is not valid JSON"
              + (e.getLocation() == null
                  ? ""
                  : " (line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr()
                      + ")"));
    } catch (IOException e) {
      throw new Main.UsageException("--schema: cannot read " + file + ": " + e.getMessage());
    }
  }

  private static EventTypeWriter writer(FlintnConfig c) {
    return new EventTypeWriter(c.kafka(), c.topicCatalog().eventTypes(), KAFKA_TIMEOUT);
  }

  /** The whole catalogue, by name; an unreachable broker or missing topic is one line, exit 1. */
  static List<EventType> read(FlintnConfig c) throws InterruptedException {
    try (EventTypeView view = new EventTypeView(c.kafka(), c.topicCatalog().eventTypes())) {
      view.start();
      if (!view.awaitCaughtUp(KAFKA_TIMEOUT)) {
        throw unreachable(c, "read");
      }
      return view.all();
    }
  }

  private static IllegalStateException unreachable(FlintnConfig c, String what) {
    return new IllegalStateException(
        "cannot "
            + what
            + " "
            + c.topicCatalog().eventTypes().name()
            + " at "
            + c.kafka().bootstrapServers()
            + " within "
            + KAFKA_TIMEOUT.toSeconds()
            + " s (is the broker up, kafka.bootstrap-servers right, and has topics create run?)");
  }
}
