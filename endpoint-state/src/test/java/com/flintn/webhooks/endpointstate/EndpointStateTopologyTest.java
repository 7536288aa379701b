package com.flintn.webhooks.endpointstate;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.DeliveryId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointChange.Type;
import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.topic.HeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EndpointStateTopologyTest extends TopologyDriving {
  private TestOutputTopic<String, Endpoint> endpoints;
  private TestOutputTopic<String, EndpointEvent> events;

  @BeforeEach
  void readTheOutputs() {
    endpoints = output(topics.endpoints());
    events = output(topics.endpointEvents());
  }

  private void change(Type type) {
    change(EndpointChange.of("chg_" + type.wireName(), type, EP, ACC, now));
  }

  private AttemptRecord exhausted(String event, Instant started) {
    return new AttemptRecord(
        DeliveryId.of("dlv_" + event),
        EventId.of(event),
        "order.created",
        EP,
        ACC,
        5,
        started,
        12,
        503,
        null,
        null,
        null,
        AttemptOutcome.DEAD_LETTERED);
  }

  private void attempt(AttemptRecord a) {
    attempt(a, new RecordHeaders());
  }

  /** An attempt record with the {@code outcome} header the dispatcher writes. */
  private void attempt(AttemptRecord a, String outcomeHeader) {
    RecordHeaders h = new RecordHeaders();
    h.add(HeaderNames.OUTCOME, outcomeHeader.getBytes(StandardCharsets.UTF_8));
    attempt(a, h);
  }

  private Endpoint latest() {
    Map<String, Endpoint> table = endpoints.readKeyValuesToMap();
    return table.get(EP.value());
  }

  private List<String> eventTypes() {
    return events.readValuesToList().stream()
        .map(e -> e.type() + (e.reason() == null ? "" : "(" + e.reason() + ")"))
        .toList();
  }

  @Test
  void createMakesAnActiveEndpoint() {
    create();
    Endpoint e = latest();
    assertThat(e.status()).isEqualTo(EndpointStatus.ACTIVE);
    assertThat(e.version()).isEqualTo(1);
    assertThat(e.eventTypes()).containsExactly("order.created");
    assertThat(eventTypes()).containsExactly("endpoint.created");
  }

  @Test
  void rekeyWritesTheEndpointAgainUnchangedAfterTheChangesBeforeIt() {
    create();
    change(Type.DISABLE);
    Endpoint before = latest();
    eventTypes();
    change(Type.REKEY);
    assertThat(latest()).isEqualTo(before); // same state, version and times; secrets sealed anew
    assertThat(eventTypes()).isEmpty();
    change(Type.REVOKE);
    change(Type.REKEY);
    assertThat(latest().status()).isEqualTo(EndpointStatus.REVOKED);
    change(Type.DELETE);
    change(Type.REKEY); // deleted meanwhile: nothing to write
    assertThat(endpoints.readValuesToList()).containsExactly((Endpoint) null);
    assertThat(eventTypes())
        .containsExactly(
            "endpoint.revoked(requested)",
            "endpoint.deleted",
            "endpoint.change_rejected(rekey: no such endpoint)");
  }

  @Test
  void disableThenReactivateThenRevokeAndRevokedIsFinal() {
    create();
    change(Type.DISABLE);
    assertThat(latest().status()).isEqualTo(EndpointStatus.DISABLED);
    change(Type.REACTIVATE);
    assertThat(latest().status()).isEqualTo(EndpointStatus.ACTIVE);
    change(Type.REVOKE);
    assertThat(latest().status()).isEqualTo(EndpointStatus.REVOKED);
    change(Type.REACTIVATE);
    change(Type.DISABLE);
    change(Type.UPDATE);
    change(Type.ROTATE_SECRET);
    assertThat(endpoints.isEmpty()).isTrue();
    assertThat(eventTypes())
        .containsExactly(
            "endpoint.created",
            "endpoint.disabled(requested)",
            "endpoint.reactivated",
            "endpoint.revoked(requested)",
            "endpoint.change_rejected(reactivate: a revoked endpoint cannot be reactivated; revoked is final)",
            "endpoint.change_rejected(disable: a revoked endpoint cannot be disabled)",
            "endpoint.change_rejected(update: a revoked endpoint cannot be changed)",
            "endpoint.change_rejected(rotate_secret: a revoked endpoint has no secret to rotate)");
  }

  @Test
  void repeatingAChangeToTheCurrentStateChangesNothing() {
    create();
    change(Type.REACTIVATE);
    change(Type.DISABLE);
    change(Type.DISABLE);
    change(Type.REVOKE);
    change(Type.REVOKE);
    assertThat(endpoints.readValuesToList())
        .extracting(Endpoint::version)
        .containsExactly(1L, 2L, 3L);
    assertThat(eventTypes())
        .containsExactly(
            "endpoint.created", "endpoint.disabled(requested)", "endpoint.revoked(requested)");
  }

  @Test
  void changesForUnknownOrForeignEndpointsAreRejectedWithTheirChangeId() {
    change(Type.REACTIVATE);
    create();
    change(EndpointChange.of("chg_x", Type.DISABLE, EP, AccountId.of("acc_other"), now));
    create();
    List<EndpointEvent> out = events.readValuesToList();
    assertThat(out)
        .extracting(EndpointEvent::type, EndpointEvent::reason, EndpointEvent::changeId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "endpoint.change_rejected", "reactivate: no such endpoint", "chg_reactivate"),
            org.assertj.core.groups.Tuple.tuple("endpoint.created", null, "chg_create"),
            org.assertj.core.groups.Tuple.tuple(
                "endpoint.change_rejected",
                "disable: endpoint belongs to another account",
                "chg_x"),
            org.assertj.core.groups.Tuple.tuple(
                "endpoint.change_rejected",
                "create: an endpoint with this id exists",
                "chg_create"));
  }

  @Test
  void exhaustedAttemptsDisableOnceEvenWhenTheRecordArrivesTwice() {
    create();
    AttemptRecord dead = exhausted("evt_9", now.plusMillis(500));
    attempt(dead);
    attempt(dead);
    Endpoint e = latest();
    assertThat(e.status()).isEqualTo(EndpointStatus.DISABLED);
    assertThat(e.disabledReason()).isEqualTo("attempts_exhausted");
    List<EndpointEvent> out = events.readValuesToList();
    assertThat(out)
        .filteredOn(x -> x.type().equals(EndpointEvent.DISABLED))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.reason()).isEqualTo("attempts_exhausted");
              assertThat(x.lastStatus()).isEqualTo("503");
              assertThat(x.eventId()).isEqualTo(EventId.of("evt_9"));
            });
  }

  @Test
  void theOutcomeHeaderDecidesWhetherAnAttemptRecordIsReadAtAll() {
    create();
    // The header is what the dispatcher writes beside the same outcome in the body; the app trusts
    // it, so a record whose header says delivered is not even parsed.
    attempt(exhausted("evt_7", now.plusMillis(500)), "delivered");
    assertThat(latest().status()).isEqualTo(EndpointStatus.ACTIVE);
    attempt(exhausted("evt_8", now.plusMillis(500)), "dead_lettered");
    assertThat(latest().status()).isEqualTo(EndpointStatus.DISABLED);
  }

  @Test
  void onlyAnExhaustedDeliveryDisablesAndStaleRecordsAfterReactivationDoNot() {
    create();
    AttemptRecord retried =
        new AttemptRecord(
            DeliveryId.of("dlv_1"),
            EventId.of("evt_1"),
            "order.created",
            EP,
            ACC,
            2,
            now,
            5,
            500,
            null,
            null,
            null,
            AttemptOutcome.RETRY_SCHEDULED);
    AttemptRecord clientError =
        new AttemptRecord(
            DeliveryId.of("dlv_2"),
            EventId.of("evt_2"),
            "order.created",
            EP,
            ACC,
            1,
            now,
            5,
            400,
            null,
            null,
            null,
            AttemptOutcome.DEAD_LETTERED);
    attempt(retried);
    attempt(clientError);
    assertThat(latest().status()).isEqualTo(EndpointStatus.ACTIVE);
    AttemptRecord dead = exhausted("evt_3", now);
    attempt(dead);
    change(Type.REACTIVATE);
    attempt(dead); // a duplicate that arrives after the reactivation
    attempt(exhausted("evt_4", T0)); // an attempt that started before the reactivation
    assertThat(latest().status()).isEqualTo(EndpointStatus.ACTIVE);
    assertThat(eventTypes())
        .containsExactly(
            "endpoint.created", "endpoint.disabled(attempts_exhausted)", "endpoint.reactivated");
  }

  @Test
  void anExhaustedAttemptToTheOldUrlDoesNotDisableTheEndpointAfterItsUrlIsFixed() {
    create();
    Instant sentToOldUrl = now.plusMillis(500);
    change(Changes.update("chg_fix", EP, ACC, null, "https://example.com/fixed", null, now));
    attempt(exhausted("evt_1", sentToOldUrl)); // attempt 5 was in flight during the fix
    assertThat(latest().status()).isEqualTo(EndpointStatus.ACTIVE);
    attempt(exhausted("evt_2", now)); // one that failed against the new URL
    assertThat(latest().status()).isEqualTo(EndpointStatus.DISABLED);
    assertThat(eventTypes())
        .containsExactly(
            "endpoint.created", "endpoint.updated", "endpoint.disabled(attempts_exhausted)");
  }

  @Test
  void rotationKeepsThePreviousSecretUntilTheGraceEnds() {
    create();
    Secret first = latest().secrets().current();
    Secret next = Secret.generate();
    change(Changes.rotate("chg_rot", EP, ACC, next, Duration.ofHours(1), now));
    Endpoint e = latest();
    assertThat(e.secrets().current()).isEqualTo(next);
    assertThat(e.secrets().previous()).isEqualTo(first);
    assertThat(e.secrets().previousExpiresAt()).isEqualTo(now.plus(Duration.ofHours(1)));
    assertThat(e.secrets().previousAt(now.plus(Duration.ofMinutes(59)))).contains(first);
    assertThat(e.secrets().previousAt(now.plus(Duration.ofHours(1)))).isEmpty();
  }

  @Test
  void updateChangesSettingsAndDeleteWritesATombstone() {
    create();
    change(
        Changes.update("chg_upd", EP, ACC, "Renamed", "https://example.com/v2", List.of("*"), now));
    Endpoint e = latest();
    assertThat(e.name()).isEqualTo("Renamed");
    assertThat(e.url()).isEqualTo("https://example.com/v2");
    assertThat(e.eventTypes()).containsExactly("*");
    change(Type.DELETE);
    var records = endpoints.readRecordsToList();
    assertThat(records).singleElement().satisfies(r -> assertThat(r.value()).isNull());
  }

  @Test
  void unreadableRecordsAreSkippedAndTheAppGoesOn() {
    driver
        .createInputTopic(
            topics.attempts().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput(EP.value(), "not json".getBytes());
    create();
    assertThat(latest().status()).isEqualTo(EndpointStatus.ACTIVE);
  }
}
