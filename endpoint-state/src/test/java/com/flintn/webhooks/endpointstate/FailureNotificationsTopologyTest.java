package com.flintn.webhooks.endpointstate;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.event.OperationalEvents;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.DeliveryId;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointChange.Type;
import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.topic.HeaderNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The failure warnings and the disable notice of docs/design.md §4.1, through the topology. */
class FailureNotificationsTopologyTest extends TopologyDriving {
  private TestInputTopic<String, byte[]> rawAttempts;
  private TestOutputTopic<String, EndpointEvent> status;
  private TestOutputTopic<String, byte[]> webhooks;

  @BeforeEach
  void createTheEndpoint() {
    rawAttempts =
        driver.createInputTopic(
            topics.attempts().name(),
            Serdes.String().serializer(),
            Serdes.ByteArray().serializer());
    status = output(topics.endpointEvents());
    webhooks =
        driver.createOutputTopic(
            topics.events().name(),
            Serdes.String().deserializer(),
            Serdes.ByteArray().deserializer());
    create();
    status.readValuesToList();
  }

  /** An attempt record as the dispatcher writes it, with its outcome and attempt headers. */
  private void attempt(String event, int attempt, AttemptOutcome outcome, Instant started) {
    AttemptRecord a =
        new AttemptRecord(
            DeliveryId.of("dlv_" + event),
            EventId.of(event),
            "order.created",
            EP,
            ACC,
            attempt,
            started,
            12,
            outcome == AttemptOutcome.DELIVERED ? 200 : 503,
            null,
            null,
            null,
            outcome);
    RecordHeaders h = new RecordHeaders();
    h.add(HeaderNames.OUTCOME, outcome.wireName().getBytes(StandardCharsets.UTF_8));
    h.add(HeaderNames.ATTEMPT, String.valueOf(attempt).getBytes(StandardCharsets.UTF_8));
    attempt(a, h);
  }

  private void failed(String event, int attempt) {
    attempt(
        event,
        attempt,
        attempt == 5 ? AttemptOutcome.DEAD_LETTERED : AttemptOutcome.RETRY_SCHEDULED,
        now);
  }

  private List<Event> sentWebhooks() {
    return webhooks.readRecordsToList().stream()
        .map(
            r -> {
              assertThat(r.key()).isEqualTo(ACC.value());
              try {
                return Json.mapper().readValue(r.value(), Event.class);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .toList();
  }

  private List<String> statusEvents() {
    return status.readValuesToList().stream()
        .map(
            e ->
                e.type()
                    + (e.percentOfThreshold() == null ? "" : "@" + e.percentOfThreshold())
                    + (e.reason() == null ? "" : "(" + e.reason() + ")"))
        .toList();
  }

  @Test
  void failedAttemptsWarnOncePerLevelAndTheDisableIsToldOnce() {
    for (int n = 1; n <= 2; n++) {
      failed("evt_a", n);
      failed("evt_b", n);
    }
    assertThat(sentWebhooks()).isEmpty();
    failed("evt_a", 3);
    failed("evt_b", 3);
    failed("evt_a", 4);
    failed("evt_b", 4);
    failed("evt_a", 5);
    failed("evt_b", 5); // the endpoint is disabled by now: changes nothing

    List<Event> sent = sentWebhooks();
    assertThat(sent)
        .extracting(Event::eventType)
        .containsExactly(
            OperationalEvents.ENDPOINT_FAILING,
            OperationalEvents.ENDPOINT_FAILING,
            OperationalEvents.ENDPOINT_DISABLED);
    assertThat(sent).allSatisfy(e -> assertThat(e.accountId()).isEqualTo(ACC));
    assertThat(sent).extracting(Event::eventId).doesNotHaveDuplicates();
    Event at60 = sent.get(0);
    assertThat(at60.data().get("endpoint_id").asText()).isEqualTo(EP.value());
    assertThat(at60.data().get("endpoint_name").asText()).isEqualTo("Orders");
    assertThat(at60.data().get("url").asText()).isEqualTo("https://example.com/hook");
    assertThat(at60.data().get("percent_of_threshold").asInt()).isEqualTo(60);
    assertThat(at60.data().get("failed_attempts").asInt()).isEqualTo(3);
    assertThat(at60.data().get("max_attempts").asInt()).isEqualTo(5);
    assertThat(at60.data().get("failing_event_id").asText()).isEqualTo("evt_a");
    assertThat(at60.data().get("last_status").asInt()).isEqualTo(503);
    assertThat(sent.get(1).data().get("percent_of_threshold").asInt()).isEqualTo(80);
    Event disabled = sent.get(2);
    assertThat(disabled.data().get("endpoint_id").asText()).isEqualTo(EP.value());
    assertThat(disabled.data().get("reason").asText()).isEqualTo("attempts_exhausted");
    assertThat(disabled.data().get("failing_event_id").asText()).isEqualTo("evt_a");
    assertThat(statusEvents())
        .containsExactly(
            "endpoint.failing@60", "endpoint.failing@80", "endpoint.disabled(attempts_exhausted)");
  }

  @Test
  void aDeliveryEndsTheWarningAndANewSpellWarnsAgainAfterTheQuietPeriod() {
    failed("evt_a", 3);
    attempt("evt_ok", 1, AttemptOutcome.DELIVERED, now);
    attempt("evt_ok2", 1, AttemptOutcome.DELIVERED, now); // not failing any more: nothing
    failed("evt_b", 3); // within the quiet period: the dashboard hears of it, the account not
    assertThat(sentWebhooks()).hasSize(1);
    assertThat(statusEvents())
        .containsExactly(
            "endpoint.failing@60",
            "endpoint.recovered(delivered)",
            "endpoint.failing@60(notified_within_quiet_period)");
    failed("evt_b", 4); // a rise in the same spell is always told
    assertThat(sentWebhooks())
        .singleElement()
        .satisfies(e -> assertThat(e.data().get("percent_of_threshold").asInt()).isEqualTo(80));

    attempt("evt_ok3", 1, AttemptOutcome.DELIVERED, now);
    now = now.plus(FailureLevels.QUIET_AFTER_RECOVERY);
    failed("evt_c", 3);
    assertThat(sentWebhooks())
        .singleElement()
        .satisfies(e -> assertThat(e.data().get("percent_of_threshold").asInt()).isEqualTo(60));
  }

  @Test
  void aReactivationStartsAfreshAndOlderAttemptsAreNotCounted() {
    failed("evt_a", 3);
    Instant beforeDisable = now;
    change(EndpointChange.of("chg_dis", Type.DISABLE, EP, ACC, now));
    change(EndpointChange.of("chg_re", Type.REACTIVATE, EP, ACC, now));
    assertThat(sentWebhooks()).hasSize(1); // a disable the account asked for is not told back
    statusEvents();
    attempt("evt_old", 4, AttemptOutcome.RETRY_SCHEDULED, beforeDisable);
    assertThat(sentWebhooks()).isEmpty();
    failed("evt_new", 3); // a fresh start: no quiet period
    assertThat(sentWebhooks()).hasSize(1);
  }

  @Test
  void aNewUrlEndsTheWarning() {
    failed("evt_a", 3);
    statusEvents();
    change(
        new EndpointChange(
            "chg_url",
            Type.UPDATE,
            EP,
            ACC,
            "Orders",
            "https://example.com/fixed",
            List.of("order.created"),
            null,
            null,
            now));
    assertThat(statusEvents())
        .containsExactly("endpoint.updated", "endpoint.recovered(url_changed)");
    failed("evt_b", 3);
    assertThat(sentWebhooks()).hasSize(2);
  }

  @Test
  void recordsBelowAWarningAreJudgedByTheirHeadersAlone() {
    // Bodies that cannot be read: a failed attempt 1 and a delivery are skipped on their headers,
    // so nothing is logged and nothing is written.
    for (String[] h :
        List.of(new String[] {"retry_scheduled", "1"}, new String[] {"delivered", "1"})) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(HeaderNames.OUTCOME, h[0].getBytes(StandardCharsets.UTF_8));
      headers.add(HeaderNames.ATTEMPT, h[1].getBytes(StandardCharsets.UTF_8));
      rawAttempts.pipeInput(
          new TestRecord<>(EP.value(), "not json".getBytes(StandardCharsets.UTF_8), headers, now));
    }
    assertThat(statusEvents()).isEmpty();
    assertThat(sentWebhooks()).isEmpty();
    // A failed attempt without the attempt header (an older dispatcher) is read in full.
    now = now.plusSeconds(1);
    RecordHeaders onlyOutcome = new RecordHeaders();
    onlyOutcome.add(HeaderNames.OUTCOME, "retry_scheduled".getBytes(StandardCharsets.UTF_8));
    attempts.pipeInput(
        new TestRecord<>(
            EP.value(),
            new AttemptRecord(
                DeliveryId.of("dlv_x"),
                EventId.of("evt_x"),
                "order.created",
                EP,
                ACC,
                3,
                now,
                5,
                null,
                "timeout",
                null,
                null,
                AttemptOutcome.RETRY_SCHEDULED),
            onlyOutcome,
            now));
    assertThat(sentWebhooks())
        .singleElement()
        .satisfies(e -> assertThat(e.data().get("last_error").asText()).isEqualTo("timeout"));
    assertThat(driver.getKeyValueStore(EndpointStateProcessor.STORE).get(EP.value()))
        .satisfies(
            e ->
                assertThat(((com.flintn.webhooks.common.message.Endpoint) e).status())
                    .isEqualTo(EndpointStatus.ACTIVE));
  }
}
