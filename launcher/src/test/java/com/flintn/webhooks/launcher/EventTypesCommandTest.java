package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.message.EventType;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code event-types put/list/remove} as an operator runs them, against the real broker. */
@Tag("broker")
class EventTypesCommandTest {
  private static TestEnvironment env;
  @TempDir static Path dir;
  private static String config;

  @BeforeAll
  static void start() throws Exception {
    env = TestEnvironment.create("event-types-cli", 2, Optional.empty(), Map.of());
    config = CommandConfig.write(dir.resolve("flintn.properties"), env).toString();
  }

  @AfterAll
  static void stop() {
    env.close();
  }

  @Test
  void putListAndRemoveKeepOneRecordPerTypeOnTheCompactedTopic() throws Exception {
    CommandRun empty = CommandRun.of("event-types", "list", "--config", config);
    assertThat(empty.status()).isZero();
    assertThat(empty.out()).contains("the catalogue is empty");

    Path schema = dir.resolve("order-created.json");
    Files.writeString(schema, "{\"type\":\"object\",\"required\":[\"order_id\"]}");
    CommandRun put = put("order.created", "An order was placed.", schema);
    assertThat(put.status()).as(put.err()).isZero();
    assertThat(put.out()).contains("put order.created (with a schema) in " + env.prefix());
    assertThat(put("order.paid", "An order was paid.", null).status()).isZero();
    assertThat(put("order.paid", "An order was paid in full.", null).status())
        .as("a second put replaces the entry")
        .isZero();

    CommandRun list = CommandRun.of("event-types", "list", "--config", config);
    assertThat(list.status()).isZero();
    assertThat(list.out().lines().toList())
        .containsExactly(
            "order.created  schema  An order was placed.",
            "order.paid             An order was paid in full.",
            "2 event types");
    List<EventType> records = env.readValues(env.topics().eventTypes());
    assertThat(records).hasSize(3);
    assertThat(records)
        .filteredOn(t -> t.name().equals("order.created"))
        .singleElement()
        .satisfies(
            t -> assertThat(t.schema().get("required").get(0).asText()).isEqualTo("order_id"));

    CommandRun missing =
        CommandRun.of("event-types", "remove", "--name", "order.payd", "--config", config);
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err().strip())
        .isEqualTo(
            "flintn-webhooks: no event type 'order.payd' in the catalogue (did you mean"
                + " 'order.paid'?)");

    CommandRun removed =
        CommandRun.of("event-types", "remove", "--name", "order.paid", "--config", config);
    assertThat(removed.status()).isZero();
    assertThat(removed.out()).contains("removed order.paid", "keep receiving it");
    assertThat(env.readAll(env.topics().eventTypes().name()))
        .filteredOn(r -> new String(r.key(), StandardCharsets.UTF_8).equals("order.paid"))
        .last()
        .as("a tombstone")
        .satisfies(r -> assertThat(r.value()).isNull());
    assertThat(CommandRun.of("event-types", "list", "--config", config).out())
        .contains("order.created")
        .doesNotContain("order.paid")
        .contains("1 event type\n");
  }

  @Test
  void badInputIsOneLineAndExitStatus2() throws Exception {
    CommandRun badName = put("Order Created", "x", null);
    assertThat(badName.status()).isEqualTo(2);
    assertThat(badName.err().strip())
        .startsWith("flintn-webhooks: an event type name must be a dotted name")
        .doesNotContain("\n");

    CommandRun blank = put("a.b", "  ", null);
    assertThat(blank.status()).isEqualTo(2);
    assertThat(blank.err()).contains("description must be 1 to 500 characters");

    CommandRun noFile = put("a.b", "d", dir.resolve("absent.json"));
    assertThat(noFile.status()).isEqualTo(2);
    assertThat(noFile.err()).contains("--schema: no such file");

    Path notJson = dir.resolve("bad.json");
    Files.writeString(notJson, "{\"type\":");
    CommandRun bad = put("a.b", "d", notJson);
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).contains("is not valid JSON").doesNotContain("\tat ");

    Path unusable = dir.resolve("unusable.json");
    Files.writeString(unusable, "{\"$ref\":\"https://127.0.0.1:1/elsewhere.json\"}");
    CommandRun badSchema = put("a.b", "d", unusable);
    assertThat(badSchema.status()).as(badSchema.err()).isEqualTo(2);
    assertThat(badSchema.err()).contains("not a usable JSON Schema").doesNotContain("\tat ");

    CommandRun noName = CommandRun.of("event-types", "remove", "--config", config);
    assertThat(noName.status()).isEqualTo(2);
    assertThat(noName.err()).contains("--name");
    assertThat(CommandRun.of("event-types").status()).isEqualTo(2);
  }

  /** {@code event-types put}, with {@code --schema} when {@code schema} is not null. */
  private static CommandRun put(String name, String description, Path schema) {
    List<String> args =
        new ArrayList<>(
            List.of("event-types", "put", "--name", name, "--description", description));
    if (schema != null) {
      args.addAll(List.of("--schema", schema.toString()));
    }
    args.addAll(List.of("--config", config));
    return CommandRun.of(args.toArray(String[]::new));
  }
}
