package com.flintn.webhooks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The scheduler alone, on records written straight to the tier topics: never early, nothing lost or
 * moved twice, across a crash of a paused instance and members joining and leaving.
 */
@Tag("broker")
class RetrySchedulerTest {
  private static final Clock CLOCK = Clock.systemUTC();

  /** Tiers longer than every backlog's spread, so each record's due-at is within its tier. */
  private static TestEnvironment environment(String name) throws InterruptedException {
    return environment(name, "10s,20s,30s,40s");
  }

  private static TestEnvironment environment(String name, String tiers)
      throws InterruptedException {
    return TestEnvironment.create(name, 3, Optional.empty(), Map.of(ConfigKey.RETRY_TIERS, tiers));
  }

  /**
   * Writes {@code count} retry records spread over the tiers, with due times from now to {@code
   * spread} later; per tier partition the due times rise with the offset, as the dispatcher writes
   * them. Returns delivery id -> due-at.
   */
  private static Map<String, Long> backlog(TestEnvironment env, int count, Duration spread) {
    return backlog(env, count, Duration.ZERO, spread);
  }

  private static Map<String, Long> backlog(
      TestEnvironment env, int count, Duration in, Duration spread) {
    Map<String, Long> dueAt = new HashMap<>();
    long start = CLOCK.millis() + in.toMillis();
    for (int i = 0; i < count; i++) {
      int tier = i % 4;
      long due = start + spread.toMillis() * i / count;
      Event event =
          new Event(
              EventId.of("evt_" + i),
              "order.created",
              AccountId.of("acc_1"),
              "2026-11-27T10:00:00Z",
              Json.mapper().createObjectNode().put("i", i));
      Delivery d =
          Delivery.first(event, EndpointId.of("ep_" + (i % 13)), null)
              .next(CLOCK.instant(), "http_500");
      RecordHeaders h = new RecordHeaders();
      h.add(HeaderNames.DUE_AT, String.valueOf(due).getBytes(StandardCharsets.UTF_8));
      String topic = env.topics().retryTier(tier).name();
      env.sendAsync(
          new ProducerRecord<>(
              topic,
              null,
              d.endpointId().value().getBytes(StandardCharsets.UTF_8),
              env.topics().retryTier(tier).valueSerde().serializer().serialize(topic, d),
              h));
      dueAt.put(d.deliveryId().value(), due);
    }
    env.flush();
    return dueAt;
  }

  /** Checks the due topic against the backlog and returns lateness figures for the note. */
  private static String verifyMoved(TestEnvironment env, Map<String, Long> dueAt) {
    List<ConsumerRecord<byte[], byte[]>> moved = env.readAll(env.topics().deliveriesDue().name());
    Map<String, Integer> seen = new HashMap<>();
    List<Long> lateness = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : moved) {
      Delivery d =
          env.topics()
              .deliveriesDue()
              .valueSerde()
              .deserializer()
              .deserialize(r.topic(), r.value());
      seen.merge(d.deliveryId().value(), 1, Integer::sum);
      long movedAt =
          Long.parseLong(
              new String(
                  r.headers().lastHeader(HeaderNames.MOVED_AT).value(), StandardCharsets.UTF_8));
      long due = dueAt.get(d.deliveryId().value());
      assertThat(movedAt).as("moved no earlier than due").isGreaterThanOrEqualTo(due);
      lateness.add(movedAt - due);
    }
    assertThat(seen.keySet()).as("nothing lost").isEqualTo(dueAt.keySet());
    assertThat(seen.values().stream().filter(n -> n > 1).count())
        .as("nothing moved twice")
        .isZero();
    lateness.sort(Long::compare);
    return String.format(
        "%d moved, lateness p50 %d ms, p99 %d ms, max %d ms",
        lateness.size(),
        lateness.get(lateness.size() / 2),
        lateness.get(lateness.size() * 99 / 100),
        lateness.getLast());
  }

  @Test
  void aSchedulerKilledWhilePausedLosesNothingAndItsSuccessorIsNeverEarly() throws Exception {
    try (TestEnvironment env = environment("sched-crash")) {
      Map<String, Long> dueAt = backlog(env, 2000, Duration.ofSeconds(8));
      RetrySchedulerApp first = new RetrySchedulerApp(env.config(), CLOCK);
      first.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> first.moved() >= 300);
      first.halt();
      try (RetrySchedulerApp second = new RetrySchedulerApp(env.config(), CLOCK)) {
        second.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> env.readAll(env.topics().deliveriesDue().name()).size() >= dueAt.size());
      }
      System.out.println("scheduler crash: " + verifyMoved(env, dueAt));
    }
  }

  @Test
  void twoInstancesShareTheTiersWhileMembersJoinAndLeave() throws Exception {
    try (TestEnvironment env = environment("sched-group")) {
      Map<String, Long> dueAt = backlog(env, 3000, Duration.ofSeconds(10));
      RetrySchedulerApp a = new RetrySchedulerApp(env.config(), CLOCK);
      RetrySchedulerApp b = new RetrySchedulerApp(env.config(), CLOCK);
      a.start();
      b.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> a.moved() + b.moved() >= 600);
      RetrySchedulerApp c = new RetrySchedulerApp(env.config(), CLOCK);
      c.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> a.moved() + b.moved() + c.moved() >= 1500);
      a.close();
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> env.readAll(env.topics().deliveriesDue().name()).size() >= dueAt.size());
        System.out.printf(
            "scheduler group: moved by a=%d b=%d c=%d%n", a.moved(), b.moved(), c.moved());
        assertThat(b.moved()).isPositive();
        assertThat(c.moved()).isPositive();
      } finally {
        b.close();
        c.close();
      }
      System.out.println("scheduler group: " + verifyMoved(env, dueAt));
    }
  }

  /**
   * Nothing is moved early from a large backlog. The heap figures are printed for the record only:
   * with the broker and the test in the same JVM they are too noisy to assert on.
   */
  @Test
  void holdsAHundredThousandRetriesThatAreNotDueWithoutMovingAny() throws Exception {
    try (TestEnvironment env = environment("sched-hold", "2h,3h,4h,5h")) {
      backlog(env, 100_000, Duration.ofHours(1), Duration.ofMinutes(10));
      System.gc();
      long before = usedHeap();
      try (RetrySchedulerApp scheduler = new RetrySchedulerApp(env.config(), CLOCK)) {
        scheduler.start();
        await()
            .during(Duration.ofSeconds(5))
            .atMost(Duration.ofSeconds(10))
            .until(() -> scheduler.moved() == 0);
        System.gc();
        System.out.printf(
            "100000 retries pending: heap used before the scheduler %d MiB, after 5 s holding %d MiB"
                + " (broker and test in the same JVM)%n",
            before >> 20, usedHeap() >> 20);
      }
      assertThat(env.readAll(env.topics().deliveriesDue().name())).isEmpty();
    }
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
