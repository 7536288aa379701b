package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dlq list} and {@code dlq replay} as an operator runs them, against the real broker. */
@Tag("broker")
class DlqCommandTest {
  private static final EndpointId EP = EndpointId.of("ep_cli");
  private static final AccountId ACC = AccountId.of("acc_cli");
  private static TestEnvironment env;
  private static EndpointStateApp state;
  @TempDir static Path dir;
  private static Path config;

  @BeforeAll
  static void seed() throws Exception {
    env = TestEnvironment.create("dlq-cli", 2, Optional.empty(), Map.of());
    state = new EndpointStateApp(env.config());
    state.start();
    env.send(
        env.topics().endpointChanges(),
        EP.value(),
        new EndpointChange(
            "chg_cli",
            EndpointChange.Type.CREATE,
            EP,
            ACC,
            "CLI",
            "https://127.0.0.1:9/x",
            List.of("*"),
            Secret.generate(),
            null,
            Clock.systemUTC().instant()));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !env.readAll(env.topics().endpoints().name()).isEmpty());
    for (int i = 0; i < 30; i++) {
      String reason = i < 10 ? "client_error" : "attempts_exhausted";
      Event e =
          new Event(
              EventId.of("evt_cli_" + i),
              "order.created",
              ACC,
              "2026-11-27T10:00:00Z",
              Json.mapper().createObjectNode());
      Delivery d = new Delivery(Delivery.idFor(e.eventId(), EP), EP, 5, null, "500", e, null);
      RecordHeaders h = new RecordHeaders();
      h.add(HeaderNames.REASON, reason.getBytes(StandardCharsets.UTF_8));
      h.add(HeaderNames.LAST_STATUS, "500".getBytes(StandardCharsets.UTF_8));
      h.add(HeaderNames.ATTEMPTS, "5".getBytes(StandardCharsets.UTF_8));
      env.sendAsync(
          new ProducerRecord<>(
              env.topics().dlq().name(),
              null,
              EP.value().getBytes(StandardCharsets.UTF_8),
              env.topics().dlq().valueSerde().serializer().serialize("", d),
              h));
    }
    env.flush();
    config =
        CommandConfig.write(
            dir.resolve("flintn.properties"),
            env,
            "secrets.encryption-key=" + TestEnvironment.TEST_ENCRYPTION_KEY);
  }

  @AfterAll
  static void stop() {
    state.close();
    env.close();
  }

  @Test
  void listPrintsATableAndACount() {
    CommandRun r = dlq("list");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("TIME (UTC)", "ENDPOINT", "EVENT TYPE", "REASON", "LAST STATUS");
    assertThat(r.out()).contains("ep_cli", "evt_cli_29");
    assertThat(r.out().strip())
        .endsWith("30 dead letters (30 records read from " + env.prefix() + ".dlq)");
  }

  @Test
  void listAsJsonForScripts() throws Exception {
    CommandRun r = dlq("list", "--format", "json", "--reason", "client_error");
    assertThat(r.status()).isZero();
    JsonNode doc = Json.mapper().readTree(r.out());
    assertThat(doc.get("count").asInt()).isEqualTo(10);
    assertThat(doc.get("dead_letters")).hasSize(10);
    assertThat(doc.get("dead_letters").get(0).get("reason").asText()).isEqualTo("client_error");
  }

  @Test
  void dryRunSaysHowManyShowsASampleAndWritesNothing() {
    int due = env.readAll(env.topics().deliveriesDue().name()).size();
    CommandRun r = dlq("replay", "--reason", "client_error", "--dry-run");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "dry run: 10 of 10 selected dead letters would be replayed", "sample:", "evt_cli_");
    assertThat(env.readAll(env.topics().deliveriesDue().name())).hasSize(due);
  }

  @Test
  void replayReportsAndASecondReplayIsRefused() {
    CommandRun first = dlq("replay", "--reason", "attempts_exhausted", "--rate", "500/s");
    assertThat(first.status()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("replayed 20 dead letters to " + env.prefix() + ".deliveries.due");
    assertThat(first.err())
        .as("plain progress lines when not a terminal")
        .contains("replayed 20 of 20 (100%)");
    CommandRun second = dlq("replay", "--reason", "attempts_exhausted");
    assertThat(second.out())
        .contains("replayed 0 dead letters", "skipped 20 already replayed", "--allow-repeat");
  }

  @Test
  void badInputIsOneLineAndExit2() {
    CommandRun unknown = dlq("list", "--colour", "red");
    assertThat(unknown.status()).isEqualTo(2);
    assertThat(unknown.err().strip().lines()).hasSize(1);
    assertThat(unknown.err()).contains("--colour");
    CommandRun time = dlq("list", "--since", "yesterday");
    assertThat(time.status()).isEqualTo(2);
    assertThat(time.err().strip())
        .startsWith("flintn-webhooks: --since: 'yesterday' is not a time");
    assertThat(time.err().strip().lines()).hasSize(1);
    CommandRun before1970 = dlq("list", "--since", "1969-12-31");
    assertThat(before1970.status()).isEqualTo(2);
    assertThat(before1970.err()).contains("--since", "outside 1970");
    CommandRun reason = dlq("list", "--reason", "slow");
    assertThat(reason.status()).isEqualTo(2);
    CommandRun rate = dlq("replay", "--rate", "fast");
    assertThat(rate.status()).isEqualTo(2);
    assertThat(rate.err()).contains("--rate");
  }

  @Test
  void unreachableBrokerIsOneLineAndExit1() throws Exception {
    Path bad = dir.resolve("unreachable.properties");
    Files.writeString(
        bad,
        Files.readString(config)
            .replaceAll("kafka.bootstrap-servers=.*", "kafka.bootstrap-servers=127.0.0.1:1"));
    CommandRun r = CommandRun.of("dlq", "list", "--config", bad.toString());
    assertThat(r.status()).isEqualTo(1);
    // bin/flintn-webhooks turns the Kafka client's own connection warnings down for one-shot
    // commands before logging starts; in this JVM they are on, so only our lines are counted
    assertThat(r.err().lines().filter(l -> !l.contains("org.apache.kafka"))).hasSize(1);
    assertThat(r.err()).contains("cannot read", "127.0.0.1:1");
  }

  /** {@code dlq <command> --config <the test's file> <options>}. */
  private static CommandRun dlq(String command, String... options) {
    List<String> args = new ArrayList<>(List.of("dlq", command, "--config", config.toString()));
    args.addAll(List.of(options));
    return CommandRun.of(args.toArray(String[]::new));
  }
}
