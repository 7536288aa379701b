package com.flintn.webhooks.endpointstate;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.DeliveryId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointChange.Type;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.sign.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transitions as the pure functions they are: no Kafka, no topology. */
class EndpointTransitionsTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final EndpointId EP = EndpointId.of("ep_1");
  private static final AccountId ACC = AccountId.of("acc_1");
  private static final Duration GRACE = Duration.ofHours(24);

  private static Endpoint created() {
    EndpointChange create = Changes.createOrders(EP, ACC, "https://old.example.com/hook", T0);
    return EndpointTransitions.apply(null, create, T0, GRACE).next().orElseThrow();
  }

  private static Endpoint updated(Endpoint current, String name, String url, Instant at) {
    EndpointChange update = Changes.update("chg_upd", EP, ACC, name, url, null, at);
    return EndpointTransitions.apply(current, update, at, GRACE).next().orElseThrow();
  }

  private static AttemptRecord exhausted(Instant startedAt) {
    return new AttemptRecord(
        DeliveryId.of("dlv_1"),
        EventId.of("evt_1"),
        "order.created",
        EP,
        ACC,
        5,
        startedAt,
        30_000,
        null,
        "timeout",
        null,
        null,
        AttemptOutcome.DEAD_LETTERED);
  }

  @Test
  void anExhaustedAttemptSentToTheOldUrlDoesNotDisableTheEndpointWhoseUrlWasFixed() {
    Instant fixedAt = T0.plusSeconds(60);
    Endpoint fixed = updated(created(), null, "https://new.example.com/hook", fixedAt);
    assertThat(fixed.urlChangedAt()).isEqualTo(fixedAt);
    assertThat(fixed.status()).isEqualTo(EndpointStatus.ACTIVE);

    // attempt 5 was in flight to the old URL when the fix landed, and ends after it
    var stale = EndpointTransitions.onAttempt(fixed, exhausted(fixedAt.minusSeconds(1)), fixedAt);
    assertThat(stale.next()).isEmpty();
    assertThat(stale.events()).isEmpty();

    // an attempt that failed against the new URL still counts
    var current =
        EndpointTransitions.onAttempt(
            fixed, exhausted(fixedAt.plusSeconds(1)), fixedAt.plusSeconds(2));
    assertThat(current.next()).hasValueSatisfying(e -> assertThat(e.isActive()).isFalse());
  }

  @Test
  void aRateLimitIsSetAtCreateKeptByOtherUpdatesAndRemovedWithZero() {
    EndpointChange create =
        new EndpointChange(
            "chg_create",
            Type.CREATE,
            EP,
            ACC,
            "Orders",
            "https://old.example.com/hook",
            List.of("order.created"),
            Secret.generate(),
            null,
            T0,
            50);
    Endpoint limited = EndpointTransitions.apply(null, create, T0, GRACE).next().orElseThrow();
    assertThat(limited.rateLimit()).isEqualTo(50);
    assertThat(created().rateLimited()).as("a create without one has none").isFalse();

    Endpoint renamed = updated(limited, "Renamed", null, T0.plusSeconds(1));
    assertThat(renamed.rateLimit()).isEqualTo(50);
    Endpoint slower = limitedTo(renamed, 5, T0.plusSeconds(2));
    assertThat(slower.rateLimit()).isEqualTo(5);
    assertThat(slower.name()).isEqualTo("Renamed");
    assertThat(limitedTo(slower, 0, T0.plusSeconds(3)).rateLimited()).isFalse();
  }

  private static Endpoint limitedTo(Endpoint current, int rate, Instant at) {
    EndpointChange update =
        new EndpointChange(
            "chg_rate", Type.UPDATE, EP, ACC, null, null, null, null, null, at, rate);
    return EndpointTransitions.apply(current, update, at, GRACE).next().orElseThrow();
  }

  @Test
  void anUpdateThatKeepsTheUrlMovesNoFence() {
    Instant renamedAt = T0.plusSeconds(60);
    Endpoint renamed = updated(created(), "Renamed", null, renamedAt);
    Endpoint sameUrl = updated(renamed, null, "https://old.example.com/hook", renamedAt);
    assertThat(sameUrl.urlChangedAt()).isNull();
    assertThat(sameUrl.statusChangedAt()).isEqualTo(T0);

    var result =
        EndpointTransitions.onAttempt(sameUrl, exhausted(renamedAt.minusSeconds(1)), renamedAt);
    assertThat(result.next()).hasValueSatisfying(e -> assertThat(e.isActive()).isFalse());
  }

  @Test
  void aUrlChangeKeepsTheStatusFenceSoQueuedRetriesStillGoToTheNewUrl() {
    Instant fixedAt = T0.plusSeconds(60);
    Endpoint fixed = updated(created(), null, "https://new.example.com/hook", fixedAt);
    // the dispatcher drops a retry that began before status_changed_at: a URL fix must not
    assertThat(fixed.statusChangedAt()).isEqualTo(T0);
    assertThat(fixed.predatesStatus(T0.plusSeconds(1))).isFalse();
  }
}
