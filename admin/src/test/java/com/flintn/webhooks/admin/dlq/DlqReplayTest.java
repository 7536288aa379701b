package com.flintn.webhooks.admin.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointChange.Type;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.message.Origin;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.HttpsReceiver.Received;
import com.flintn.webhooks.testkit.IndependentVerifier;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Dead-letter selection and replay on the real broker: 1,000 dead letters over 3 endpoints, 2
 * reasons, 2 event types and 1,000 minutes; the real dispatcher delivers what is replayed.
 */
@Tag("broker")
class DlqReplayTest {
  private static final Clock CLOCK = Clock.systemUTC();
  private static final Instant T0 =
      CLOCK.instant().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.MINUTES);
  private static final List<EndpointId> EPS =
      List.of(EndpointId.of("ep_d1"), EndpointId.of("ep_d2"), EndpointId.of("ep_d3"));
  private static final List<AccountId> ACCOUNTS =
      List.of(AccountId.of("acc_x"), AccountId.of("acc_x"), AccountId.of("acc_y"));
  private static final List<Secret> SECRETS =
      List.of(Secret.generate(), Secret.generate(), Secret.generate());

  /** What was seeded, to compute each filter's expected selection independently. */
  record Seeded(
      int i, EndpointId endpoint, AccountId account, String type, String reason, Instant at) {
    String eventId() {
      return "evt_dlq_" + i;
    }
  }

  private static final List<Seeded> SEEDED = new ArrayList<>();
  private static HttpsReceiver receiver;
  private static TestEnvironment env;
  private static EndpointStateApp state;
  private static DispatcherApp dispatcher;
  private static EndpointView view;

  @BeforeAll
  static void seed() throws Exception {
    receiver = new HttpsReceiver();
    env = TestEnvironment.create("dlq", 3, Optional.of(receiver), Map.of());
    state = new EndpointStateApp(env.config());
    state.start();
    for (int e = 0; e < 3; e++) {
      change(
          new EndpointChange(
              "chg_c" + e,
              Type.CREATE,
              EPS.get(e),
              ACCOUNTS.get(e),
              "DLQ " + e,
              receiver.url("/d" + (e + 1)),
              List.of("*"),
              SECRETS.get(e),
              null,
              CLOCK.instant()));
    }
    view = new EndpointView(env.config().kafka(), env.topics().endpoints());
    view.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> view.size() == 3);
    dispatcher = new DispatcherApp(env.config(), CLOCK);
    dispatcher.start();

    Topic<String, Delivery> dlq = env.topics().dlq();
    for (int i = 0; i < 1000; i++) {
      Seeded s =
          new Seeded(
              i,
              EPS.get(i % 3),
              ACCOUNTS.get(i % 3),
              i % 4 < 2 ? "order.created" : "order.paid",
              i % 2 == 0 ? "attempts_exhausted" : "client_error",
              T0.plus(Duration.ofMinutes(i)));
      SEEDED.add(s);
      ObjectNode data = Json.mapper().createObjectNode().put("n", i);
      Event event =
          new Event(EventId.of(s.eventId()), s.type(), s.account(), s.at().toString(), data);
      Delivery d =
          new Delivery(
              Delivery.idFor(event.eventId(), s.endpoint()),
              s.endpoint(),
              s.reason().equals("client_error") ? 1 : 5,
              s.at().minusSeconds(60),
              s.reason().equals("client_error") ? "400" : "500",
              event,
              new Origin(env.topics().events().name(), 0, i));
      RecordHeaders h = new RecordHeaders();
      h.add(HeaderNames.REASON, bytes(s.reason()));
      h.add(HeaderNames.LAST_STATUS, bytes(d.lastFailure()));
      h.add(HeaderNames.ATTEMPTS, bytes(String.valueOf(d.attempt())));
      h.add(HeaderNames.ENDPOINT_ID, bytes(s.endpoint().value()));
      h.add(HeaderNames.EVENT_ID, bytes(s.eventId()));
      env.sendAsync(
          new ProducerRecord<>(
              dlq.name(),
              null,
              s.at().toEpochMilli(),
              bytes(s.endpoint().value()),
              dlq.valueSerde().serializer().serialize(dlq.name(), d),
              h));
    }
    env.flush();
  }

  @AfterAll
  static void stop() {
    dispatcher.close();
    view.close();
    state.close();
    env.close();
    receiver.close();
  }

  @Test
  void eachFilterSelectsExactlyTheRightSet() {
    Instant from = T0.plus(Duration.ofMinutes(300));
    Instant to = T0.plus(Duration.ofMinutes(700));
    check(DlqFilter.all(), s -> true);
    check(
        filter(Optional.of(EPS.get(1)), null, null, null, null, null),
        s -> s.endpoint().equals(EPS.get(1)));
    check(
        filter(null, ACCOUNTS.get(0), null, null, null, null),
        s -> s.account().equals(ACCOUNTS.get(0)));
    check(filter(null, null, "order.paid", null, null, null), s -> s.type().equals("order.paid"));
    check(
        filter(null, null, null, "client_error", null, null),
        s -> s.reason().equals("client_error"));
    check(filter(null, null, null, null, from, null), s -> !s.at().isBefore(from));
    check(filter(null, null, null, null, null, to), s -> s.at().isBefore(to));
    check(
        filter(
            Optional.of(EPS.get(2)),
            ACCOUNTS.get(2),
            "order.created",
            "attempts_exhausted",
            from,
            to),
        s ->
            s.endpoint().equals(EPS.get(2))
                && s.type().equals("order.created")
                && s.reason().equals("attempts_exhausted")
                && !s.at().isBefore(from)
                && s.at().isBefore(to));
    check(filter(Optional.of(EPS.get(2)), ACCOUNTS.get(0), null, null, null, null), s -> false);
  }

  @Test
  void sinceStartsFromTheOffsetsFoundForThatTime() {
    Instant since = T0.plus(Duration.ofMinutes(900));
    List<DeadLetter> got = new ArrayList<>();
    DlqReader.Stats stats;
    try (DlqReader r = reader()) {
      stats = r.scan(filter(null, null, null, null, since, null), got::add, () -> false);
    }
    assertThat(got).hasSize(100);
    assertThat(stats.recordsRead())
        .as("records fetched, not the 1,000 of a full scan")
        .isEqualTo(100);
  }

  @Test
  void replayDeliversTheSliceOnceSignedAndRefusesASecondReplay() throws Exception {
    DlqFilter slice =
        filter(Optional.of(EPS.get(0)), null, "order.created", "client_error", null, null);
    Set<String> expected =
        SEEDED.stream()
            .filter(
                s ->
                    s.endpoint().equals(EPS.get(0))
                        && s.type().equals("order.created")
                        && s.reason().equals("client_error"))
            .map(Seeded::eventId)
            .collect(Collectors.toSet());
    assertThat(expected).hasSizeGreaterThan(50);
    DlqReplayer replayer = new DlqReplayer(env.config().kafka(), env.topics(), CLOCK);

    int dueBefore = env.readAll(env.topics().deliveriesDue().name()).size();
    DlqReplayer.Report dry = replay(replayer, slice, true, false);
    assertThat(dry.sent()).isEqualTo(expected.size());
    assertThat(env.readAll(env.topics().deliveriesDue().name()))
        .as("a dry run writes nothing")
        .hasSize(dueBefore);
    assertThat(env.readAll(env.topics().dlqReplays().name())).isEmpty();

    DlqReplayer.Report first = replay(replayer, slice, false, false);
    assertThat(first.sent()).isEqualTo(expected.size());
    assertThat(first.skippedRepeat()).isZero();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> receiver.receivedAt("/d1").size() >= expected.size());

    DlqReplayer.Report second = replay(replayer, slice, false, false);
    assertThat(second.sent()).isZero();
    assertThat(second.skippedRepeat()).isEqualTo(expected.size());

    List<Received> got = receiver.receivedAt("/d1");
    assertThat(got).hasSize(expected.size());
    Set<String> ids = new HashSet<>();
    for (Received r : got) {
      ids.add(r.header("X-Event-Id"));
      assertThat(r.header("X-Delivery-Attempt")).isEqualTo("1");
      assertThat(r.header("X-Signature-Primary"))
          .isEqualTo(IndependentVerifier.expectedPrimary(SECRETS.get(0).reveal(), r.body()));
    }
    assertThat(ids).isEqualTo(expected);
    List<ConsumerRecord<byte[], byte[]>> due = env.readAll(env.topics().deliveriesDue().name());
    assertThat(due.stream().filter(r -> r.headers().lastHeader(HeaderNames.REPLAYED_FROM) != null))
        .hasSize(expected.size())
        .allMatch(
            r ->
                new String(
                        r.headers().lastHeader(HeaderNames.REPLAYED_FROM).value(),
                        StandardCharsets.UTF_8)
                    .startsWith(env.topics().dlq().name() + "/"));
  }

  @Test
  void inactiveEndpointsAreSkippedUntilReactivated() throws Exception {
    DlqFilter slice =
        filter(
            Optional.of(EPS.get(1)),
            null,
            null,
            "attempts_exhausted",
            T0.plus(Duration.ofMinutes(600)),
            null);
    long n =
        SEEDED.stream()
            .filter(
                s ->
                    s.endpoint().equals(EPS.get(1))
                        && s.reason().equals("attempts_exhausted")
                        && s.i() >= 600)
            .count();
    change(
        EndpointChange.of("chg_off", Type.DISABLE, EPS.get(1), ACCOUNTS.get(1), CLOCK.instant()));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> view.get(EPS.get(1)).orElseThrow().status() == EndpointStatus.DISABLED);
    DlqReplayer replayer = new DlqReplayer(env.config().kafka(), env.topics(), CLOCK);

    DlqReplayer.Report skipped = replay(replayer, slice, false, false);
    assertThat(skipped.sent()).isZero();
    assertThat(skipped.skippedInactive()).isEqualTo(n);
    assertThat(skipped.inactiveEndpoints()).containsExactly("ep_d2 (disabled)");

    change(
        EndpointChange.of("chg_on", Type.REACTIVATE, EPS.get(1), ACCOUNTS.get(1), CLOCK.instant()));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> view.get(EPS.get(1)).orElseThrow().isActive());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> dispatcher.knownEndpoint(EPS.get(1)).map(e -> e.isActive()).orElse(false));
    DlqReplayer.Report delivered = replay(replayer, slice, false, false);
    assertThat(delivered.sent()).isEqualTo(n);
    await().atMost(Duration.ofSeconds(60)).until(() -> receiver.receivedAt("/d2").size() == n);
  }

  @Test
  void pagesReturnEverySelectedDeadLetterExactlyOnceReadingABoundedAmountEach() {
    Instant until = T0.plus(Duration.ofMinutes(1000));
    DlqFilter f = filter(null, AccountId.of("acc_x"), "order.created", null, T0, until);
    Predicate<Seeded> expected =
        s -> s.account().equals(AccountId.of("acc_x")) && s.type().equals("order.created");
    Set<String> want =
        SEEDED.stream().filter(expected).map(Seeded::eventId).collect(Collectors.toSet());
    assertThat(want).hasSizeGreaterThan(300);

    List<String> got = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    int pages = 0;
    try (DlqReader r = reader()) {
      DlqPager pager = new DlqPager(r, 37);
      do {
        DlqPager.Page<String> page =
            pager.page(f, cursor, 9, d -> d.delivery().event().eventId().value());
        assertThat(page.data()).hasSizeLessThanOrEqualTo(9);
        assertThat(page.recordsRead()).as("bounded by the budget").isLessThanOrEqualTo(37);
        got.addAll(page.data());
        cursor = page.nextCursor();
        pages++;
      } while (cursor.isPresent() && pages < 1000);
    }
    assertThat(cursor).as("the last page says so").isEmpty();
    assertThat(got).doesNotHaveDuplicates();
    assertThat(new HashSet<>(got)).isEqualTo(want);

    // Read in one go, the first page is the newest of the selection.
    List<String> newest =
        SEEDED.stream()
            .filter(expected)
            .sorted(Comparator.comparing(Seeded::at).reversed())
            .limit(10)
            .map(Seeded::eventId)
            .toList();
    try (DlqReader r = reader()) {
      DlqPager.Page<String> first =
          new DlqPager(r, 10_000)
              .page(f, Optional.empty(), 10, d -> d.delivery().event().eventId().value());
      assertThat(first.data()).containsExactlyElementsOf(newest);
      assertThat(first.nextCursor()).isPresent();
    }
  }

  private static DlqReplayer.Report replay(
      DlqReplayer replayer, DlqFilter f, boolean dryRun, boolean repeat)
      throws InterruptedException {
    List<DeadLetter> selected = new ArrayList<>();
    try (DlqReader r = reader()) {
      r.scan(f, selected::add, () -> false);
    }
    return replayer.replay(
        selected,
        view::get,
        replayer.earlierReplays(Duration.ofSeconds(10)),
        new DlqReplayer.Options(dryRun, repeat, OptionalDouble.empty()),
        (a, b, c) -> {},
        () -> false);
  }

  private static void check(DlqFilter f, Predicate<Seeded> expected) {
    Set<String> want =
        SEEDED.stream().filter(expected).map(Seeded::eventId).collect(Collectors.toSet());
    Set<String> got = new HashSet<>();
    try (DlqReader r = reader()) {
      r.scan(f, d -> got.add(d.delivery().event().eventId().value()), () -> false);
    }
    assertThat(got).as(f.toString()).isEqualTo(want);
  }

  private static DlqFilter filter(
      Optional<EndpointId> endpoint,
      AccountId account,
      String type,
      String reason,
      Instant since,
      Instant until) {
    return new DlqFilter(
        endpoint == null ? Optional.empty() : endpoint,
        Optional.ofNullable(account),
        Optional.ofNullable(type),
        Optional.ofNullable(reason),
        Optional.ofNullable(since),
        Optional.ofNullable(until));
  }

  private static DlqReader reader() {
    return new DlqReader(env.config().kafka(), env.topics().dlq(), Duration.ofSeconds(10));
  }

  private static void change(EndpointChange c) {
    env.send(env.topics().endpointChanges(), c.endpointId().value(), c);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
