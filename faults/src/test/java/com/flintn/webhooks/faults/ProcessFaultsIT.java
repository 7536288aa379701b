package com.flintn.webhooks.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.faults.Ledger.Pair;
import com.flintn.webhooks.faults.ReceiverLog.Behaviour;
import com.flintn.webhooks.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real faults against real processes: the dispatcher, the retry scheduler and the endpoint-state
 * app run as separate OS processes from the built distribution, against an embedded broker that
 * this test can stop and start on the same data directory. After each fault the system is judged by
 * what it recorded in Kafka and by what the receiver saw: every (event, endpoint) delivery must end
 * in exactly one kind of terminal state, none may be missing, and repeats are counted.
 *
 * <p>Each test prints a summary line ({@code FAULTS ...}) that RELIABILITY.md quotes.
 */
@Tag("process")
@Tag("broker")
class ProcessFaultsIT {
  private static final List<String> TYPES =
      List.of("fault.alpha", "fault.beta", "fault.gamma", "fault.delta");
  private static final Duration DRAIN = Duration.ofSeconds(180);

  /** Up to 64 records in flight a partition, so a killed dispatcher leaves that many unfinished. */
  private static final Map<ConfigKey, String> IN_FLIGHT_64 =
      Map.of(ConfigKey.DISPATCHER_MAX_IN_FLIGHT_PER_PARTITION, "64");

  private static Path dataDir;
  private static int port;
  private static EmbeddedKafka broker;

  @BeforeAll
  static void startBroker() {
    dataDir = FaultRig.TARGET.resolve("broker-" + ProcessHandle.current().pid());
    port = FaultRig.freePort();
    broker = EmbeddedKafka.start(dataDir, port, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** A rig on this suite's broker. */
  private static FaultRig rig(String name, int partitions, Map<ConfigKey, String> overrides)
      throws Exception {
    return new FaultRig(name, broker.bootstrapServers(), partitions, overrides);
  }

  /** Four endpoints, each subscribed to two types, so each event is two deliveries. */
  private static void createEndpoints(FaultRig rig) {
    for (int i = 0; i < 4; i++) {
      String id = "ep_" + (char) ('a' + i);
      rig.createEndpoint(id, List.of(TYPES.get(i), TYPES.get((i + 1) % 4)));
    }
  }

  /**
   * Sends the commands that create the four endpoints, starts {@code processes}, and waits until
   * each is healthy and the endpoints table holds the four endpoints active. The endpoint-state app
   * reads the commands from the start of their topic, so they are sent first and applied while the
   * other processes start.
   */
  private static void startWithEndpoints(FaultRig rig, List<ChildProcess> processes)
      throws InterruptedException {
    createEndpoints(rig);
    FaultRig.startHealthy(processes);
    rig.awaitEndpoints(EndpointStatus.ACTIVE, Duration.ofSeconds(60));
  }

  /**
   * The same answer for the same delivery and attempt, however often it is asked: so a delivery
   * repeated after a crash meets the receiver it met before, and its terminal state can only
   * repeat, not change. 4% are refused with 400 (dead-lettered at once), 12% fail once with 500, 6%
   * get 429 twice, the rest 200.
   */
  static Behaviour deterministic(Pair p, int attempt) {
    int h = Math.floorMod(p.hashCode() * 31 + 7, 100);
    if (h < 4) {
      return Behaviour.BAD_REQUEST_400;
    } else if (h < 16) {
      return attempt == 1 ? Behaviour.ERROR_500 : Behaviour.OK_200;
    } else if (h < 22) {
      return attempt <= 2 ? Behaviour.TOO_MANY_429 : Behaviour.OK_200;
    }
    return Behaviour.OK_200;
  }

  /** {@link ReceiverLog#respond}, a late answer coming after 1 s. */
  static MockResponse respond(Behaviour b) {
    return ReceiverLog.respond(b, Duration.ofSeconds(1));
  }

  @Test
  void sigkillOfEachProcessUnderLoadLosesNothing() throws Exception {
    try (FaultRig rig = rig("crash", 3, IN_FLIGHT_64)) {
      ReceiverLog log = rig.answer(ProcessFaultsIT::deterministic, ProcessFaultsIT::respond);
      ChildProcess dispatcher = rig.process("dispatcher", "dispatcher");
      ChildProcess scheduler = rig.process("scheduler", "retry-scheduler", "--no-endpoint-state");
      ChildProcess state = rig.process("endpoint-state", "endpoint-state");
      startWithEndpoints(rig, List.of(dispatcher, scheduler, state));

      List<String> recovery = new ArrayList<>();
      Load load = Load.start(rig, TYPES, 100, Long.MAX_VALUE);
      for (ChildProcess victim : List.of(dispatcher, scheduler, state, dispatcher)) {
        Thread.sleep(5_000); // the fault schedule, not a wait: 5 s of load between kills
        long killedAt = System.currentTimeMillis();
        victim.kill();
        Thread.sleep(1_000); // the fault schedule: down for 1 s
        victim.start();
        Duration healthy = victim.awaitHealthy(Duration.ofSeconds(120));
        recovery.add(victim.name() + " healthy " + healthy.toMillis() + " ms after restart");
        if (victim == dispatcher) {
          long resumed = awaitRequestAfter(log, killedAt + 1_000, Duration.ofSeconds(120));
          recovery.add("deliveries resumed " + (resumed - killedAt) + " ms after the kill");
        }
      }
      Thread.sleep(3_000); // the fault schedule: 3 s more load after the last restart
      load.close();
      // Once the repeats of the last kill are done too (every delivery ended, the receiver quiet
      // for longer than the longest tier), a disable drops what follows.
      Verdict.await(rig, load.acked(), log, DRAIN);
      awaitQuiet(log, Duration.ofSeconds(6), DRAIN);
      rig.changeStatus("ep_d", EndpointChange.Type.DISABLE);
      rig.awaitEndpoints(List.of("ep_d"), EndpointStatus.DISABLED, Duration.ofSeconds(60));
      // The dispatcher follows the same table: until its own view holds the disable.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> dispatcher.metric("webhook_endpoints", "status=\"disabled\"") >= 1);
      Map<String, String> late = Load.start(rig, TYPES, 100, 2_000).awaitAndGet();

      Map<String, String> events = new HashMap<>(load.acked());
      events.putAll(late);
      Verdict v = Verdict.await(rig, events, log, DRAIN);
      v.print("crash (SIGKILL dispatcher x2, scheduler, endpoint-state)", load, recovery);
      v.assertNothingLostOrContradictory();
      // The disable took effect: what came after it for ep_d was dropped, not delivered.
      assertThat(
              late.keySet().stream()
                  .filter(e -> TYPES.indexOf(late.get(e)) == 3 || TYPES.indexOf(late.get(e)) == 0)
                  .map(e -> v.ledger.terminals.get(new Pair(e, "ep_d")))
                  .filter(t -> t != null && !t.contains(AttemptOutcome.DROPPED_ENDPOINT_INACTIVE))
                  .toList())
          .as("deliveries to ep_d after its disable")
          .isEmpty();
      // Repeats come only from the dispatcher's in-flight window at each of its two kills:
      // 3 event partitions x 64 records x 2 deliveries each, plus 3 due partitions x 64.
      assertThat(v.ledger.duplicateTerminals()).isLessThanOrEqualTo(2 * (3 * 64 * 2 + 3 * 64));
    }
  }

  @Test
  void dispatchersLeavingAndJoiningUnderLoadLoseNothing() throws Exception {
    try (FaultRig rig = rig("scale", 6, IN_FLIGHT_64)) {
      ReceiverLog log = rig.answer(ProcessFaultsIT::deterministic, ProcessFaultsIT::respond);
      ChildProcess scheduler = rig.process("scheduler", "retry-scheduler");
      List<ChildProcess> dispatchers = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        dispatchers.add(rig.process("dispatcher-" + i, "dispatcher"));
      }
      List<ChildProcess> first =
          List.of(scheduler, dispatchers.get(0), dispatchers.get(1), dispatchers.get(2));
      startWithEndpoints(rig, first);

      List<String> notes = new ArrayList<>();
      Load load = Load.start(rig, TYPES, 100, Long.MAX_VALUE);
      Thread.sleep(6_000); // the fault schedule, not a wait: 6 s of load before each change
      long t = System.nanoTime();
      notes.add(
          "dispatcher-2 leaves at second "
              + (System.currentTimeMillis() - load.startMillis) / 1000);
      dispatchers.get(1).stop();
      notes.add("dispatcher-2 left (SIGTERM) in " + (System.nanoTime() - t) / 1_000_000 + " ms");
      Thread.sleep(6_000); // the fault schedule
      notes.add(
          "dispatcher-4 starts at second "
              + (System.currentTimeMillis() - load.startMillis) / 1000);
      dispatchers.get(3).start();
      notes.add(
          "dispatcher-4 joined, healthy in "
              + dispatchers.get(3).awaitHealthy(Duration.ofSeconds(90)).toMillis()
              + " ms");
      Thread.sleep(6_000); // the fault schedule
      load.close();

      Verdict v = Verdict.await(rig, load.acked(), log, DRAIN);
      v.print("scale-out (3 dispatchers, one leaves, one joins)", load, notes);
      v.assertNothingLostOrContradictory();
      for (ChildProcess c :
          List.of(scheduler, dispatchers.get(0), dispatchers.get(2), dispatchers.get(3))) {
        assertThat(c.alive()).as(c + " still running").isTrue();
      }
    }
  }

  @Test
  void brokerRestartOnTheSameDataDirectoryLosesNothingAndEveryProcessRecoversByItself()
      throws Exception {
    try (FaultRig rig = rig("restart", 3, Map.of())) {
      ReceiverLog log = rig.answer(ProcessFaultsIT::deterministic, ProcessFaultsIT::respond);
      ChildProcess dispatcher = rig.process("dispatcher", "dispatcher");
      ChildProcess scheduler = rig.process("scheduler", "retry-scheduler");
      List<ChildProcess> all = List.of(dispatcher, scheduler);
      startWithEndpoints(rig, all);

      List<String> notes = new ArrayList<>();
      Load load = Load.start(rig, TYPES, 100, Long.MAX_VALUE);
      Thread.sleep(6_000); // the fault schedule, not a wait: 6 s of load, then 8 s without a broker
      broker.close();
      Thread.sleep(8_000);
      long upAt = System.currentTimeMillis();
      broker = EmbeddedKafka.start(dataDir, port, Duration.ofSeconds(120));
      notes.add("broker down 8 s, back in " + (System.currentTimeMillis() - upAt) + " ms");
      for (ChildProcess c : all) {
        notes.add(c.name() + " healthy again " + c.awaitHealthy(DRAIN).toMillis() + " ms later");
      }
      long resumed = awaitRequestAfter(log, upAt, DRAIN);
      notes.add("deliveries resumed " + (resumed - upAt) + " ms after the broker restart began");
      Thread.sleep(6_000); // the fault schedule: 6 s more load once deliveries resumed
      load.close();

      Verdict v = Verdict.await(rig, load.acked(), log, DRAIN);
      v.print("broker restart (stopped 8 s, same data directory)", load, notes);
      v.assertNothingLostOrContradictory();
      for (ChildProcess c : all) {
        assertThat(c.alive()).as(c + " recovered by itself, without a restart").isTrue();
      }
    }
  }

  @Test
  void chaosEndpointsKeepEveryDeliveryToOneTerminalState() throws Exception {
    long seed = Long.getLong("faults.seed", System.nanoTime());
    Random random = new Random(seed);
    Behaviour[] mix = new Behaviour[20];
    int i = 0;
    for (Map.Entry<Behaviour, Integer> e :
        Map.of(
                Behaviour.OK_200, 9,
                Behaviour.ERROR_500, 3,
                Behaviour.TOO_MANY_429, 2,
                Behaviour.BAD_REQUEST_400, 1,
                Behaviour.HANG, 1,
                Behaviour.RESET, 2,
                Behaviour.SLOW_BODY_200, 2)
            .entrySet()) {
      for (int k = 0; k < e.getValue(); k++) {
        mix[i++] = e.getKey();
      }
    }
    try (FaultRig rig = rig("chaos", 3, Map.of(ConfigKey.HTTP_TIMEOUT, "2s"))) {
      ReceiverLog log =
          rig.answer(
              (pair, attempt) -> {
                synchronized (random) {
                  return mix[random.nextInt(mix.length)];
                }
              },
              ProcessFaultsIT::respond);
      ChildProcess dispatcher = rig.process("dispatcher", "dispatcher");
      ChildProcess scheduler = rig.process("scheduler", "retry-scheduler");
      List<ChildProcess> all = List.of(dispatcher, scheduler);
      startWithEndpoints(rig, all);

      Load load = Load.start(rig, TYPES, 50, 20_000);
      load.await();
      Verdict v = Verdict.await(rig, load.acked(), log, DRAIN);
      Map<Behaviour, Long> seen = new TreeMap<>();
      log.answers().forEach(a -> seen.merge(a.behaviour(), 1L, Long::sum));
      v.print(
          "chaos endpoints (seed " + seed + ")",
          load,
          List.of("answers " + seen, "endpoint statuses " + rig.endpointStatuses()));
      assertThat(seen.keySet())
          .as("every behaviour was met")
          .containsAll(
              List.of(Behaviour.values()).stream()
                  .filter(
                      b ->
                          b != Behaviour.GONE_410
                              && b != Behaviour.LATE_200
                              && b != Behaviour.STALL)
                  .toList());
      v.assertNothingLostOrContradictory();
    }
  }

  private static void awaitQuiet(ReceiverLog log, Duration quiet, Duration timeout) {
    await()
        .alias("the receiver quiet for " + quiet)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> System.currentTimeMillis() - log.lastAtMillis() >= quiet.toMillis());
  }

  /** Waits for a request later than {@code afterMillis}; returns when the first one came. */
  private static long awaitRequestAfter(ReceiverLog log, long afterMillis, Duration timeout) {
    await()
        .alias("a delivery after the restart")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> log.lastAtMillis() > afterMillis);
    return log.answers().stream()
        .mapToLong(ReceiverLog.Answer::atMillis)
        .filter(t -> t > afterMillis)
        .min()
        .orElseThrow();
  }
}
