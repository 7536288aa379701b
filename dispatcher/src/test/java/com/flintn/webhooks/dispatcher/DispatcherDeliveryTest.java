package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.event.ParsedEvent;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.testkit.FakeNames;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.HttpsReceiver.Received;
import com.flintn.webhooks.testkit.IndependentVerifier;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("broker")
class DispatcherDeliveryTest {
  private final HttpsReceiver receiver = new HttpsReceiver();

  @AfterEach
  void closeReceiver() {
    receiver.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void deliversSignedEventToEverySubscribedActiveEndpointOfTheAccountOnly() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("fanout", 3, Optional.of(receiver), Map.of())) {
      Endpoint exact =
          endpoint(
              "ep_exact",
              "acc_1",
              receiver.url("/exact"),
              List.of("order.created"),
              EndpointStatus.ACTIVE);
      Endpoint star =
          endpoint("ep_star", "acc_1", receiver.url("/star"), List.of("*"), EndpointStatus.ACTIVE);
      Endpoint otherAccount =
          endpoint(
              "ep_other_acc",
              "acc_2",
              receiver.url("/other-account"),
              List.of("*"),
              EndpointStatus.ACTIVE);
      Endpoint otherType =
          endpoint(
              "ep_other_type",
              "acc_1",
              receiver.url("/other-type"),
              List.of("invoice.paid"),
              EndpointStatus.ACTIVE);
      Endpoint disabled =
          endpoint(
              "ep_disabled",
              "acc_1",
              receiver.url("/disabled"),
              List.of("*"),
              EndpointStatus.DISABLED);
      Endpoint revoked =
          endpoint(
              "ep_revoked",
              "acc_1",
              receiver.url("/revoked"),
              List.of("*"),
              EndpointStatus.REVOKED);
      for (Endpoint e : List.of(exact, star, otherAccount, otherType, disabled, revoked)) {
        env.putEndpoint(e);
      }
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
        dispatcher.start();
        String body = event("evt_fanout_1", "order.created", "acc_1");
        env.send(env.topics().events().name(), utf8("acc_1"), utf8(body));

        List<AttemptRecord> attempts =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> env.readValues(env.topics().attempts()), a -> a.size() >= 4);
        assertThat(attempts)
            .extracting(a -> a.endpointId().value() + "=" + a.outcome())
            .containsExactlyInAnyOrder(
                "ep_exact=" + AttemptOutcome.DELIVERED,
                "ep_star=" + AttemptOutcome.DELIVERED,
                "ep_disabled=" + AttemptOutcome.DROPPED_ENDPOINT_INACTIVE,
                "ep_revoked=" + AttemptOutcome.DROPPED_ENDPOINT_INACTIVE);
        // Every attempt record names its outcome in a header too, for readers that skip unparsed.
        assertThat(env.readAll(env.topics().attempts().name()))
            .extracting(r -> header(r, HeaderNames.OUTCOME))
            .containsExactlyInAnyOrder(
                "delivered", "delivered", "dropped_endpoint_inactive", "dropped_endpoint_inactive");
        assertThat(receiver.received())
            .extracting(Received::path)
            .containsExactlyInAnyOrder("/exact", "/star");

        for (Endpoint e : List.of(exact, star)) {
          Received r = receiver.receivedAt(e.url().substring(e.url().lastIndexOf('/'))).getFirst();
          String secret = e.secrets().current().reveal();
          assertThat(r.bodyText()).isEqualTo(body);
          IndependentVerifier.assertSigned(r, secret, "evt_fanout_1");
          assertThat(Long.parseLong(r.header("webhook-timestamp")))
              .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
          assertThat(r.header("Content-Type")).startsWith("application/json");
          assertThat(r.header("X-Event-Id")).isEqualTo("evt_fanout_1");
          assertThat(r.header("webhook-id")).isEqualTo("evt_fanout_1");
          assertThat(r.header("X-Event-Type")).isEqualTo("order.created");
          assertThat(r.header("X-Webhook-Id")).isEqualTo(e.endpointId().value());
          assertThat(r.header("X-Delivery-Attempt")).isEqualTo("1");
          assertThat(r.header("User-Agent")).startsWith("Flintn-Webhooks/");
          assertThat(r.header("X-Signature-Secondary")).isNull();
        }
        AttemptRecord delivered =
            attempts.stream()
                .filter(a -> a.outcome() == AttemptOutcome.DELIVERED)
                .findFirst()
                .orElseThrow();
        assertThat(delivered.status()).isEqualTo(200);
        assertThat(delivered.attempt()).isEqualTo(1);
        assertThat(delivered.eventType()).isEqualTo("order.created");
      }
    }
  }

  /**
   * The endpoint view follows the table a few milliseconds behind. An event produced after its
   * endpoint was committed must still reach it: before fanning out events that no earlier sync
   * covers, the dispatcher brings its view up to the table's committed end. Here the view is held
   * behind the table while the new endpoint and its event arrive, and let go once the dispatcher's
   * sync has found it behind and waits (the sync gives up after 2 s, so the hold must end sooner).
   */
  @Test
  @SuppressWarnings("try") // the hold is only closed
  void anEventProducedAfterItsEndpointWasCreatedReachesItThoughTheViewLags() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("viewsync", 1, Optional.of(receiver), Map.of())) {
      env.putEndpoint(
          endpoint("ep_old", "acc_1", receiver.url("/old"), List.of("*"), EndpointStatus.ACTIVE));
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
        dispatcher.start();
        String events = env.topics().events().name();
        env.send(events, utf8("acc_1"), utf8(event("evt_1", "order.created", "acc_1")));
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 1);
        EndpointView view = java.util.Objects.requireNonNull(dispatcher.endpointView());
        long waitedBefore = view.syncsThatWaited();
        try (EndpointView.Hold held = view.holdChanges()) {
          env.putEndpoint(
              endpoint(
                  "ep_new", "acc_1", receiver.url("/new"), List.of("*"), EndpointStatus.ACTIVE));
          env.send(events, utf8("acc_1"), utf8(event("evt_2", "order.created", "acc_1")));
          // the dispatcher has read evt_2 and waits for its view, which does not know ep_new yet
          await("a view sync before fan-out that finds the view behind the table")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(10))
              .until(() -> view.syncsThatWaited() > waitedBefore);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() >= 3);
        assertThat(receiver.received())
            .extracting(r -> r.path() + " " + r.header("X-Event-Id"))
            .containsExactlyInAnyOrder("/old evt_1", "/old evt_2", "/new evt_2");
      }
    }
  }

  @Test
  void malformedRecordGoesToTheInvalidTopicAndTheConsumerGoesOn() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("invalid", 1, Optional.of(receiver), Map.of())) {
      env.putEndpoint(
          endpoint("ep_1", "acc_1", receiver.url("/hook"), List.of("*"), EndpointStatus.ACTIVE));
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
        dispatcher.start();
        String events = env.topics().events().name();
        env.send(events, utf8("acc_1"), utf8("this is not json"));
        env.send(events, null, null);
        env.send(events, utf8("acc_1"), utf8(event("evt bad id", "order.created", "acc_1")));
        for (int i = 0; i < 3; i++) {
          env.send(events, utf8("acc_1"), utf8(event("evt_good_" + i, "order.created", "acc_1")));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 3);
        assertThat(receiver.received())
            .extracting(r -> r.header("X-Event-Id"))
            .containsExactlyInAnyOrder("evt_good_0", "evt_good_1", "evt_good_2");

        List<ConsumerRecord<byte[], byte[]>> invalid =
            await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> env.readAll(env.topics().eventsInvalid().name()), l -> l.size() == 3);
        assertThat(invalid)
            .extracting(r -> header(r, "reason"))
            .containsExactly("not_json", "empty", "invalid_field");
        ConsumerRecord<byte[], byte[]> first = invalid.getFirst();
        assertThat(new String(first.value(), StandardCharsets.UTF_8)).isEqualTo("this is not json");
        assertThat(header(first, "detail")).startsWith("not valid JSON");
        assertThat(header(first, "source-topic")).isEqualTo(events);
        assertThat(header(first, "source-offset")).isEqualTo("0");
      }
    }
  }

  @Test
  void refusesEndpointsThatReachPrivateAddressesAndSaysWhy() throws Exception {
    Map<ConfigKey, String> strict = Map.of(ConfigKey.URL_GUARD_ALLOW, "");
    try (TestEnvironment env = TestEnvironment.create("ssrf", 1, Optional.of(receiver), strict)) {
      int port = Integer.parseInt(receiver.url("").replaceAll(".*:", ""));
      Map<String, String> targets =
          Map.of(
              "ep_loopback",
              "https://127.0.0.1:" + port + "/hook",
              "ep_private",
              "https://10.0.0.1/hook",
              "ep_metadata",
              "https://169.254.169.254/latest/meta-data",
              "ep_ipv6_loopback",
              "https://[::1]:" + port + "/hook",
              "ep_name_to_loopback",
              receiver.url("/hook"),
              "ep_dns_to_loopback",
              "https://loopback." + FakeNames.ZONE + ":" + port + "/hook");
      FakeNames.answer("loopback." + FakeNames.ZONE, "127.0.0.1");
      targets.forEach(
          (id, url) ->
              env.putEndpoint(endpoint(id, "acc_1", url, List.of("*"), EndpointStatus.ACTIVE)));
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
        dispatcher.start();
        env.send(
            env.topics().events().name(),
            utf8("acc_1"),
            utf8(event("evt_ssrf", "order.created", "acc_1")));
        List<AttemptRecord> attempts =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> env.readValues(env.topics().attempts()), a -> a.size() == targets.size());
        assertThat(attempts)
            .allSatisfy(
                a -> {
                  assertThat(a.outcome()).isEqualTo(AttemptOutcome.REJECTED_UNSAFE_URL);
                  assertThat(a.error()).isEqualTo("unsafe_url");
                });
        assertThat(attempts)
            .filteredOn(a -> a.endpointId().value().equals("ep_metadata"))
            .singleElement()
            .satisfies(a -> assertThat(a.detail()).contains("169.254.169.254", "link-local"));
        assertThat(attempts)
            .filteredOn(a -> a.endpointId().value().equals("ep_name_to_loopback"))
            .singleElement()
            .satisfies(a -> assertThat(a.detail()).contains("localhost resolves to", "loopback"));
        // A DNS answer is the operator's to know: the tenant reads only that it is not reachable.
        assertThat(attempts)
            .filteredOn(a -> a.endpointId().value().equals("ep_dns_to_loopback"))
            .singleElement()
            .satisfies(
                a -> {
                  assertThat(a.detail()).isEqualTo(UrlGuard.BLOCKED_RESOLUTION);
                  assertThat(a.detail()).doesNotContain("127.0.0.1");
                  assertThat(a.responseExcerpt()).isNull();
                });
        assertThat(receiver.received()).isEmpty();
        assertThat(env.readAll(env.topics().dlq().name()))
            .hasSize(targets.size())
            .allSatisfy(r -> assertThat(header(r, "reason")).isEqualTo("unsafe_url"));
      }
    }
  }

  @Test
  void aCrashedDispatcherLosesNothingAndANewOneDeliversTheRest() throws Exception {
    int events = 1000;
    try (TestEnvironment env =
        TestEnvironment.create("crash", 3, Optional.of(receiver), Map.of())) {
      env.putEndpoint(
          endpoint(
              "ep_crash", "acc_1", receiver.url("/hook"), List.of("*"), EndpointStatus.ACTIVE));
      for (int i = 0; i < events; i++) {
        env.sendAsync(
            env.topics().events().name(),
            utf8("acc_" + (i % 7)),
            utf8(event("evt_" + i, "order.created", "acc_1")));
      }
      env.flush();
      DispatcherApp first = new DispatcherApp(env.config(), Clock.systemUTC());
      first.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> receiver.received().size() >= events / 3);
      first.halt();
      int beforeCrash = receiver.received().size();
      // Without a crash nothing repeats, overflow lane or not.
      assertThat(receiver.received().stream().map(r -> r.header("X-Event-Id")).distinct().count())
          .isEqualTo(beforeCrash);

      try (DispatcherApp second = new DispatcherApp(env.config(), Clock.systemUTC())) {
        second.start();
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    receiver.received().stream().map(r -> r.header("X-Event-Id")).distinct().count()
                        == events);
      }
      long distinct =
          receiver.received().stream().map(r -> r.header("X-Event-Id")).distinct().count();
      int duplicates = receiver.received().size() - (int) distinct;
      System.out.printf(
          "crash test: %d events, %d received before the crash, %d received in all, %d duplicates%n",
          events, beforeCrash, receiver.received().size(), duplicates);
      assertThat(distinct).isEqualTo(events);
      // Only work in flight or finished-but-uncommitted at the crash can repeat, no more of it than
      // the in-flight window of the three partitions. One endpoint taking all 1,000 events is over
      // its share of each partition, so most of them pass through the overflow lane: a delivery
      // moved there whose source offset was not yet committed exists twice after the crash (the
      // source replays it, and the overflow lane replays its copy), so it can arrive three times.
      int window = env.config().dispatcher().maxInFlightPerPartition() * 3;
      assertThat(duplicates).isLessThanOrEqualTo(window);
      assertThat(
              receiver.received().stream()
                  .collect(
                      Collectors.groupingBy(r -> r.header("X-Event-Id"), Collectors.counting()))
                  .values())
          .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(3L));
    }
  }

  @Test
  void retriesBegunBeforeTheEndpointsLastStatusChangeAreDroppedNotDelivered() throws Exception {
    try (TestEnvironment env =
        TestEnvironment.create("stale-retry", 1, Optional.of(receiver), Map.of())) {
      Instant reactivatedAt = Instant.now().minusSeconds(60);
      Endpoint base =
          endpoint("ep_back", "acc_1", receiver.url("/back"), List.of("*"), EndpointStatus.ACTIVE);
      Endpoint reactivated =
          new Endpoint(
              base.endpointId(),
              base.accountId(),
              base.name(),
              base.url(),
              base.eventTypes(),
              EndpointStatus.ACTIVE,
              null,
              base.secrets(),
              base.createdAt(),
              reactivatedAt,
              3,
              reactivatedAt,
              null);
      env.putEndpoint(reactivated);
      var parser = new EventParser(1 << 20);
      for (String id : List.of("evt_before", "evt_after")) {
        var event =
            ((ParsedEvent.Valid) parser.parse(utf8(event(id, "order.created", "acc_1")))).event();
        Instant first =
            id.equals("evt_before")
                ? reactivatedAt.minusSeconds(30)
                : reactivatedAt.plusSeconds(30);
        var due = Delivery.first(event, base.endpointId(), null).next(first, "http_500");
        env.send(env.topics().deliveriesDue(), base.endpointId().value(), due);
      }
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
        dispatcher.start();
        List<AttemptRecord> attempts =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> env.readValues(env.topics().attempts()), a -> a.size() == 2);
        assertThat(attempts)
            .extracting(a -> a.eventId().value() + "=" + a.outcome().wireName())
            .containsExactlyInAnyOrder(
                "evt_before=dropped_endpoint_inactive", "evt_after=delivered");
        assertThat(receiver.received())
            .extracting(r -> r.header("X-Event-Id"))
            .containsExactly("evt_after");
      }
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
