package com.flintn.webhooks.endpointstate;

import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointChange.Type;
import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.IndependentVerifier;
import com.flintn.webhooks.testkit.ManualClock;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The endpoint lifecycle on the real broker, end to end: the Streams app (with its caches and
 * commits, which the test driver hides), the dispatcher and the retry scheduler together.
 */
@Tag("broker")
class EndpointLifecycleTest {
  private static final EndpointId EP = EndpointId.of("ep_life");
  private static final AccountId ACC = AccountId.of("acc_life");
  private static final Clock CLOCK = Clock.systemUTC();

  /** The first change of each test: an endpoint for every event type. */
  private static EndpointChange create(String name, String url, Secret secret) {
    return new EndpointChange(
        "chg_1", Type.CREATE, EP, ACC, name, url, List.of("*"), secret, null, CLOCK.instant());
  }

  @Test
  void fiveFailuresDisableOnceLaterEventsAreDroppedReactivationDeliversAndRevokedIsFinal()
      throws Exception {
    AtomicInteger status = new AtomicInteger(500);
    try (HttpsReceiver receiver = new HttpsReceiver();
        TestEnvironment env = TestEnvironment.withFastRetries("lifecycle", receiver)) {
      receiver.respondWith(r -> new MockResponse.Builder().code(status.get()).build());
      try (EndpointStateApp state = new EndpointStateApp(env.config());
          DispatcherApp dispatcher = new DispatcherApp(env.config(), CLOCK);
          RetrySchedulerApp scheduler = new RetrySchedulerApp(env.config(), CLOCK)) {
        state.start();
        change(env, create("Life", receiver.url("/life"), Secret.generate()));
        await().atMost(Duration.ofSeconds(60)).until(() -> latest(env) != null);
        dispatcher.start();
        scheduler.start();

        send(env, "evt_fails");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> latest(env).status() == EndpointStatus.DISABLED);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> dispatcher.knownEndpoint(EP).map(e -> !e.isActive()).orElse(false));
        assertThat(receiver.received()).hasSize(5);
        assertThat(env.readAll(env.topics().dlq().name())).hasSize(1);
        List<EndpointEvent> disabled =
            env.readValues(env.topics().endpointEvents()).stream()
                .filter(e -> e.type().equals(EndpointEvent.DISABLED))
                .toList();
        assertThat(disabled)
            .singleElement()
            .satisfies(
                e -> {
                  assertThat(e.reason()).isEqualTo("attempts_exhausted");
                  assertThat(e.lastStatus()).isEqualTo("500");
                  assertThat(e.eventId().value()).isEqualTo("evt_fails");
                });

        status.set(200);
        send(env, "evt_while_disabled");
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    env.readValues(env.topics().attempts()).stream()
                        .anyMatch(a -> a.eventId().value().equals("evt_while_disabled")));
        AttemptRecord dropped =
            env.readValues(env.topics().attempts()).stream()
                .filter(a -> a.eventId().value().equals("evt_while_disabled"))
                .findFirst()
                .orElseThrow();
        assertThat(dropped.outcome()).isEqualTo(AttemptOutcome.DROPPED_ENDPOINT_INACTIVE);
        for (int tier = 0; tier < 4; tier++) {
          assertThat(env.readAll(env.topics().retryTier(tier).name()))
              .noneMatch(
                  r ->
                      new String(r.value(), StandardCharsets.UTF_8).contains("evt_while_disabled"));
        }

        change(env, EndpointChange.of("chg_2", Type.REACTIVATE, EP, ACC, CLOCK.instant()));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> latest(env).status() == EndpointStatus.ACTIVE);
        // "Afterwards" means after the dispatcher has seen the change in the table.
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> dispatcher.knownEndpoint(EP).map(Endpoint::isActive).orElse(false));
        send(env, "evt_after_reactivation");
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    receiver.received().stream()
                        .anyMatch(r -> "evt_after_reactivation".equals(r.header("X-Event-Id"))));
        assertThat(receiver.received())
            .noneMatch(r -> "evt_while_disabled".equals(r.header("X-Event-Id")));

        change(env, EndpointChange.of("chg_3", Type.REVOKE, EP, ACC, CLOCK.instant()));
        change(env, EndpointChange.of("chg_4", Type.REACTIVATE, EP, ACC, CLOCK.instant()));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    env.readValues(env.topics().endpointEvents()).stream()
                        .anyMatch(e -> "chg_4".equals(e.changeId())));
        EndpointEvent refused =
            env.readValues(env.topics().endpointEvents()).stream()
                .filter(e -> "chg_4".equals(e.changeId()))
                .findFirst()
                .orElseThrow();
        assertThat(refused.type()).isEqualTo(EndpointEvent.CHANGE_REJECTED);
        assertThat(latest(env).status()).isEqualTo(EndpointStatus.REVOKED);
      }
    }
  }

  @Test
  void duringARotationBothSecretsSignAndAfterTheGraceOnlyTheNewOne() throws Exception {
    try (HttpsReceiver receiver = new HttpsReceiver();
        TestEnvironment env =
            TestEnvironment.create("rotation", 1, Optional.of(receiver), Map.of())) {
      Secret old = Secret.generate();
      Secret next = Secret.generate();
      // The dispatcher signs on a clock the test moves: the grace ends when the test says so,
      // however long the first delivery takes to arrive.
      ManualClock dispatcherClock = new ManualClock(CLOCK.instant());
      java.nio.file.Path stateDir;
      try (EndpointStateApp state = new EndpointStateApp(env.config());
          DispatcherApp dispatcher = new DispatcherApp(env.config(), dispatcherClock)) {
        stateDir = state.stateDir();
        state.start();
        change(env, create("Rot", receiver.url("/rot"), old));
        change(env, Changes.rotate("chg_2", EP, ACC, next, Duration.ofSeconds(4), CLOCK.instant()));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> latest(env) != null && latest(env).version() == 2);
        Instant graceEnds = latest(env).secrets().previousExpiresAt();
        dispatcher.start();
        send(env, "evt_during");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 1);
        var during = receiver.received().getFirst();
        assertThat(during.header("X-Signature-Primary"))
            .isEqualTo(IndependentVerifier.expectedPrimary(next.reveal(), during.body()));
        assertThat(during.header("X-Signature-Secondary"))
            .isEqualTo(IndependentVerifier.expectedPrimary(old.reveal(), during.body()));
        String ts = during.header("webhook-timestamp");
        assertThat(during.header("webhook-signature"))
            .isEqualTo(
                IndependentVerifier.expectedStandard(next.reveal(), "evt_during", ts, during.body())
                    + " "
                    + IndependentVerifier.expectedStandard(
                        old.reveal(), "evt_during", ts, during.body()));

        dispatcherClock.advance(Duration.between(dispatcherClock.instant(), graceEnds));
        send(env, "evt_after");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 2);
        var after = receiver.received().get(1);
        assertThat(after.header("X-Signature-Primary"))
            .isEqualTo(IndependentVerifier.expectedPrimary(next.reveal(), after.body()));
        assertThat(after.header("X-Signature-Secondary")).isNull();
        assertThat(after.header("webhook-signature")).doesNotContain(" ");

        // At rest every copy of the secrets is encrypted: commands, table and the store's
        // changelog.
        String changelog =
            EndpointStateApp.applicationId(env.config()) + "-endpoint-state-changelog";
        for (String topic :
            List.of(
                env.topics().endpointChanges().name(),
                env.topics().endpoints().name(),
                changelog)) {
          var records = env.readAll(topic);
          assertThat(records).as(topic).isNotEmpty();
          for (var r : records) {
            String raw =
                r.value() == null ? "" : new String(r.value(), StandardCharsets.ISO_8859_1);
            for (Secret s : List.of(old, next)) {
              assertThat(raw).as(topic).doesNotContain(s.reveal().substring("whsec_".length()));
            }
          }
        }
        assertThat(stateDir).as("Streams' state directory while running").isDirectory();
      }
      assertThat(stateDir).as("Streams' state directory after close").doesNotExist();
    }
  }

  private static void change(TestEnvironment env, EndpointChange c) {
    env.send(env.topics().endpointChanges(), c.endpointId().value(), c);
  }

  private static void send(TestEnvironment env, String eventId) {
    env.send(
        env.topics().events().name(),
        ACC.value().getBytes(StandardCharsets.UTF_8),
        event(eventId, "order.created", ACC.value()).getBytes(StandardCharsets.UTF_8));
  }

  private static Endpoint latest(TestEnvironment env) {
    Endpoint last = null;
    for (Endpoint e : env.readValues(env.topics().endpoints())) {
      if (e != null && e.endpointId().equals(EP)) {
        last = e;
      }
    }
    return last;
  }
}
