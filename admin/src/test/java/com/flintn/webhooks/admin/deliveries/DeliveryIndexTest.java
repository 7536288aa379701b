package com.flintn.webhooks.admin.deliveries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flintn.webhooks.admin.deliveries.DeliveryIndex.Cursor;
import com.flintn.webhooks.admin.deliveries.DeliveryIndex.Found;
import com.flintn.webhooks.admin.deliveries.DeliveryIndex.Page;
import com.flintn.webhooks.admin.deliveries.DeliveryIndex.Query;
import com.flintn.webhooks.admin.deliveries.DeliveryIndex.Status;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.testkit.AttemptRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The delivery index alone: lookups, status derivation, order, pagination and its bound. */
class DeliveryIndexTest {
  private static final AccountId A = AccountId.of("acc_a");
  private static final AccountId B = AccountId.of("acc_b");
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private final DeliveryIndex index = new DeliveryIndex(1_000_000);

  @Test
  void anEventIdFindsItsDeliveriesToEveryEndpointOfTheCallersAccountOnly() {
    index.add(record("evt_1", "ep_a1", A, 1, 0, 200, null, AttemptOutcome.DELIVERED));
    index.add(record("evt_1", "ep_a2", A, 1, 1, 500, null, AttemptOutcome.RETRY_SCHEDULED));
    index.add(record("evt_1", "ep_a2", A, 2, 301, null, "timeout", AttemptOutcome.RETRY_SCHEDULED));
    index.add(record("evt_1", "ep_b1", B, 1, 2, 200, null, AttemptOutcome.DELIVERED));
    index.add(record("evt_2", "ep_a1", A, 1, 3, 200, null, AttemptOutcome.DELIVERED));

    List<Found> found = search(query(A).eventId("evt_1")).data();
    assertThat(found).extracting(Found::endpointId).containsExactly("ep_a2", "ep_a1");
    Found failing = found.getFirst();
    assertThat(failing.status()).isEqualTo(Status.FAILING);
    assertThat(failing.attemptCount()).isEqualTo(2);
    assertThat(failing.attempts()).extracting(DeliveryIndex.Attempt::attempt).containsExactly(1, 2);
    assertThat(failing.attempts().get(0).httpStatus()).isEqualTo(500);
    assertThat(failing.attempts().get(1).error()).isEqualTo("timeout");
    assertThat(failing.attempts().get(1).httpStatus()).isNull();
    assertThat(failing.attempts().get(1).durationMs()).isEqualTo(42);
    assertThat(failing.eventType()).isEqualTo("order.created");
    assertThat(failing.firstAttemptAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(failing.lastAttemptAt()).isEqualTo(T0.plusSeconds(301));

    assertThat(search(query(B).eventId("evt_1")).data())
        .extracting(Found::endpointId)
        .containsExactly("ep_b1");
    assertThat(search(query(AccountId.of("acc_none")).eventId("evt_1")).data()).isEmpty();
    assertThat(search(query(A).eventId("evt_missing")).data()).isEmpty();
  }

  @Test
  void theStatusComesFromTheLatestRecord() {
    add("evt_ok", AttemptOutcome.DELIVERED);
    add("evt_retry", AttemptOutcome.RETRY_SCHEDULED);
    add("evt_dead", AttemptOutcome.RETRY_SCHEDULED, AttemptOutcome.DEAD_LETTERED);
    add("evt_unsafe", AttemptOutcome.REJECTED_UNSAFE_URL);
    add("evt_busy", AttemptOutcome.DEFERRED_ENDPOINT_BUSY);
    add("evt_busy_failing", AttemptOutcome.RETRY_SCHEDULED, AttemptOutcome.DEFERRED_ENDPOINT_BUSY);
    add("evt_dropped", AttemptOutcome.DROPPED_ENDPOINT_INACTIVE);
    add("evt_replayed", AttemptOutcome.DEAD_LETTERED, AttemptOutcome.DELIVERED);
    add("evt_recovered", AttemptOutcome.RETRY_SCHEDULED, AttemptOutcome.DELIVERED);

    assertThat(statusOf("evt_ok")).isEqualTo(Status.DELIVERED);
    assertThat(statusOf("evt_retry")).isEqualTo(Status.FAILING);
    assertThat(statusOf("evt_dead")).isEqualTo(Status.DEAD_LETTERED);
    assertThat(statusOf("evt_unsafe")).isEqualTo(Status.DEAD_LETTERED);
    assertThat(statusOf("evt_busy")).isEqualTo(Status.PENDING);
    assertThat(statusOf("evt_busy_failing")).isEqualTo(Status.FAILING);
    assertThat(statusOf("evt_dropped")).isEqualTo(Status.DROPPED);
    assertThat(statusOf("evt_replayed")).isEqualTo(Status.DELIVERED);
    assertThat(statusOf("evt_recovered")).isEqualTo(Status.DELIVERED);

    assertThat(search(query(A).status(Status.FAILING)).data())
        .extracting(Found::eventId)
        .containsExactly("evt_busy_failing", "evt_retry");
    assertThat(search(query(A).status(Status.DEAD_LETTERED)).data())
        .extracting(Found::eventId)
        .containsExactly("evt_unsafe", "evt_dead");
  }

  @Test
  void filtersByTypeEndpointAndTimeNewestFirstWhateverOrderTheyWereReadIn() {
    // read in an order that is not the order of time, as records of partitions interleave
    int[] seconds = {50, 10, 40, 20, 30, 0, 60};
    for (int s : seconds) {
      index.add(
          AttemptRecords.of(
              "evt_" + s,
              s >= 40 ? "order.paid" : "order.created",
              s % 20 == 0 ? "ep_x" : "ep_y",
              A,
              1,
              T0.plusSeconds(s),
              5,
              200,
              null,
              AttemptOutcome.DELIVERED));
    }
    assertThat(ids(search(query(A)))).containsExactly(60, 50, 40, 30, 20, 10, 0);
    assertThat(ids(search(query(A).type("order.paid")))).containsExactly(60, 50, 40);
    assertThat(ids(search(query(A).endpoint("ep_x")))).containsExactly(60, 40, 20, 0);
    assertThat(ids(search(query(A).since(T0.plusSeconds(20)).until(T0.plusSeconds(50)))))
        .containsExactly(40, 30, 20);
    assertThat(ids(search(query(A).until(T0.plusSeconds(21)).type("order.created"))))
        .containsExactly(20, 10, 0);
    assertThat(search(query(A).type("order.refunded")).data()).isEmpty();
    assertThat(search(query(A).endpoint("ep_unknown")).data()).isEmpty();
    assertThat(search(query(B)).data()).isEmpty();
  }

  @Test
  void pagesCoverEveryDeliveryOnceAndNewDeliveriesDoNotShiftThem() {
    for (int i = 0; i < 95; i++) {
      index.add(record("evt_" + i, "ep_a1", A, 1, i / 3, 200, null, AttemptOutcome.DELIVERED));
    }
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    Cursor cursor = null;
    int pages = 0;
    do {
      Page p = search(query(A).limit(10).after(cursor));
      p.data().forEach(f -> order.add(f.eventId()));
      p.data().forEach(f -> assertThat(seen.add(f.eventId())).as(f.eventId()).isTrue());
      cursor = p.next() == null ? null : Cursor.parse(p.next().text());
      pages++;
      // newer deliveries arriving between pages belong before the first page, not in later ones
      index.add(
          record(
              "evt_new" + pages, "ep_a1", A, 1, 1000 + pages, 200, null, AttemptOutcome.DELIVERED));
    } while (cursor != null);
    assertThat(pages).isEqualTo(10);
    assertThat(seen).hasSize(95);
    assertThat(order.getFirst()).isEqualTo("evt_94");
    assertThat(order.getLast()).isEqualTo("evt_0");
  }

  @Test
  void atItsBoundTheIndexDropsItsOldestDeliveriesWholeAndKeepsCursorsValid() {
    DeliveryIndex small = new DeliveryIndex(60);
    for (int i = 0; i < 40; i++) {
      for (int attempt = 1; attempt <= 2; attempt++) {
        small.add(
            record(
                "evt_" + i,
                "ep_a1",
                A,
                attempt,
                i * 10 + attempt,
                attempt == 1 ? 500 : 200,
                null,
                attempt == 1 ? AttemptOutcome.RETRY_SCHEDULED : AttemptOutcome.DELIVERED));
      }
    }
    DeliveryIndex.Stats stats = small.stats();
    assertThat(stats.attempts()).isLessThanOrEqualTo(60);
    assertThat(stats.droppedAttempts()).isEqualTo(80 - stats.attempts());
    assertThat(stats.droppedAttempts()).isGreaterThanOrEqualTo(25);
    assertThat(small.search(query(A).eventId("evt_0").build()).data()).isEmpty();
    Found newest = small.search(query(A).eventId("evt_39").build()).data().getFirst();
    assertThat(newest.attemptCount()).isEqualTo(2);
    assertThat(newest.status()).isEqualTo(Status.DELIVERED);
    // every delivery kept has both its attempts: none is cut in the middle
    Page all = small.search(query(A).limit(100).build());
    assertThat(all.data()).allSatisfy(f -> assertThat(f.attemptCount()).isEqualTo(2));
    assertThat(stats.oldestAttemptAt()).isEqualTo(all.data().getLast().firstAttemptAt());

    Page first = small.search(query(A).limit(5).build());
    for (int i = 40; i < 70; i++) {
      small.add(record("evt_" + i, "ep_a1", A, 1, i * 10, 200, null, AttemptOutcome.DELIVERED));
    }
    assertThat(small.stats().droppedAttempts()).isGreaterThan(stats.droppedAttempts());
    Page second = small.search(query(A).limit(5).after(first.next()).build());
    assertThat(second.data()).extracting(Found::eventId).first().isEqualTo("evt_34");
  }

  @Test
  void anEndpointBelongsToTheFirstAccountSeenWithIt() {
    index.add(record("evt_1", "ep_a1", A, 1, 0, 200, null, AttemptOutcome.DELIVERED));
    index.add(record("evt_2", "ep_a1", B, 1, 1, 200, null, AttemptOutcome.DELIVERED));
    assertThat(search(query(B).eventId("evt_2")).data()).isEmpty();
    assertThat(search(query(A).eventId("evt_2")).data()).isEmpty();
    assertThat(index.stats().skippedRecords()).isEqualTo(1);
  }

  @Test
  void aCursorThatWasNotMadeHereIsRefused() {
    assertThat(Cursor.parse(new Cursor(5, 7).text())).isEqualTo(new Cursor(5, 7));
    for (String bad : List.of("", "c1", "c1.x.1", "c2.1.1", "c1.1.-1", "c1.1.1.1")) {
      assertThatThrownBy(() -> Cursor.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("next_cursor");
    }
  }

  @Test
  void anAttemptTakesAFixedRowAndTheHeapFigureCountsIt() {
    DeliveryIndex big = new DeliveryIndex(1_000_000);
    for (int i = 0; i < 200_000; i++) {
      big.add(
          record(
              "evt_01JE" + String.format("%022d", i),
              "ep_a" + i % 50,
              A,
              1,
              i,
              200,
              null,
              AttemptOutcome.DELIVERED));
    }
    DeliveryIndex.Stats s = big.stats();
    assertThat(s.attempts()).isEqualTo(200_000);
    assertThat(s.deliveries()).isEqualTo(200_000);
    // 26 B a row, 29 a delivery, 12 and 27 an event id, its table slots and its account order
    assertThat(s.bytes() / s.attempts()).isBetween(90L, 160L);
  }

  // helpers

  private void add(String event, AttemptOutcome... outcomes) {
    for (int i = 0; i < outcomes.length; i++) {
      index.add(record(event, "ep_a1", A, i + 1, index.stats().attempts(), 500, null, outcomes[i]));
    }
  }

  private Status statusOf(String event) {
    return search(query(A).eventId(event)).data().getFirst().status();
  }

  private Page search(Q q) {
    return index.search(q.build());
  }

  private static List<Integer> ids(Page p) {
    return p.data().stream().map(f -> Integer.parseInt(f.eventId().substring(4))).toList();
  }

  private static AttemptRecord record(
      String event,
      String endpoint,
      AccountId account,
      int attempt,
      long second,
      Integer status,
      String error,
      AttemptOutcome outcome) {
    return AttemptRecords.of(
        event,
        "order.created",
        endpoint,
        account,
        attempt,
        T0.plusSeconds(second),
        42,
        error == null ? status : null,
        error,
        outcome);
  }

  private static Q query(AccountId account) {
    return new Q(account);
  }

  /** A query under construction. */
  private static final class Q {
    private final AccountId account;
    private String eventId;
    private Status status;
    private String type;
    private EndpointId endpoint;
    private Instant since;
    private Instant until;
    private int limit = 100;
    private Cursor after;

    Q(AccountId account) {
      this.account = account;
    }

    Q eventId(String v) {
      eventId = v;
      return this;
    }

    Q status(Status v) {
      status = v;
      return this;
    }

    Q type(String v) {
      type = v;
      return this;
    }

    Q endpoint(String v) {
      endpoint = EndpointId.of(v);
      return this;
    }

    Q since(Instant v) {
      since = v;
      return this;
    }

    Q until(Instant v) {
      until = v;
      return this;
    }

    Q limit(int v) {
      limit = v;
      return this;
    }

    Q after(Cursor v) {
      after = v;
      return this;
    }

    Query build() {
      return new Query(account, eventId, status, type, endpoint, since, until, limit, after);
    }
  }
}
