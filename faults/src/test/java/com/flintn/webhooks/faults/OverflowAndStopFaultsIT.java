package com.flintn.webhooks.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.event.ParsedEvent;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.faults.Ledger.Pair;
import com.flintn.webhooks.faults.ReceiverLog.Behaviour;
import com.flintn.webhooks.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Faults around the dispatcher's overflow lane and its bounded stop, against real processes as in
 * {@link ProcessFaultsIT}: a crash while deliveries wait in the overflow lane, and a SIGTERM while
 * requests to a slow and to a silent endpoint are in flight. Each is judged by the ledger and the
 * receiver's log, and repeats are held against the work the dispatcher's group had not committed
 * past when the process went away: only that work is done again.
 */
@Tag("process")
@Tag("broker")
class OverflowAndStopFaultsIT {
  private static final Duration DRAIN = Duration.ofSeconds(120);
  private static final Pattern STOPPED =
      Pattern.compile(
          "dispatcher stopped in (\\d+) ms: (\\d+) records finished while stopping, (\\d+)"
              + " abandoned");

  private static Path dataDir;
  private static EmbeddedKafka broker;

  @BeforeAll
  static void startBroker() {
    dataDir = FaultRig.TARGET.resolve("broker-lanes-" + ProcessHandle.current().pid());
    broker = EmbeddedKafka.start(dataDir, FaultRig.freePort(), Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * A slow endpoint (2 requests at once, each answered after 1 s) gets a burst of 400 events; past
   * its share and after 1 s of waiting they move to the overflow lane. The dispatcher is killed
   * while they wait there, the endpoint turns fast, the dispatcher restarts: every delivery ends,
   * and another account's endpoint on the same partitions kept receiving throughout the burst.
   */
  @Test
  void sigkillWhileDeliveriesWaitInTheOverflowLaneLosesNothing() throws Exception {
    int perEndpoint = 2;
    try (FaultRig rig =
        rig(
            "overflow-kill",
            Map.of(
                ConfigKey.HTTP_MAX_IN_FLIGHT_PER_ENDPOINT, String.valueOf(perEndpoint),
                ConfigKey.DISPATCHER_MAX_HOLD, "1s",
                ConfigKey.DISPATCHER_MAX_IN_FLIGHT_PER_PARTITION, "64"))) {
      AtomicBoolean slow = new AtomicBoolean(true);
      ReceiverLog log =
          rig.answer(
              (pair, attempt) ->
                  pair.endpointId().equals("ep_slow") && slow.get()
                      ? Behaviour.LATE_200
                      : Behaviour.OK_200,
              b -> ReceiverLog.respond(b, Duration.ofSeconds(1)));
      ChildProcess dispatcher = rig.process("dispatcher", "dispatcher");
      ChildProcess scheduler = rig.process("scheduler", "retry-scheduler");
      FaultRig.startHealthy(List.of(dispatcher, scheduler));
      rig.createEndpoint("ep_slow", List.of("lane.slow"));
      rig.createEndpoint("acc_other", "ep_fast", List.of("lane.fast"));
      rig.awaitEndpoints(EndpointStatus.ACTIVE, Duration.ofSeconds(60));

      Load fast = Load.start(rig, List.of("lane.fast"), "acc_other", 20, 14_000);
      Thread.sleep(1_000); // the scenario, not a wait: the fast account's traffic runs first
      long burstAt = System.currentTimeMillis();
      Load burst = Load.start(rig, List.of("lane.slow"), FaultRig.ACCOUNT, 500, 800);
      Thread.sleep(2_000); // the scenario: the fast events sent in the burst's first 2 s are judged
      Set<String> fastDuringBurst = fast.acked().keySet();
      // The kill comes once the overflow lane holds deliveries, and no sooner than 8 s into the
      // burst: the fast endpoint's events of its first 2 s have had 6 s or more to arrive, and
      // the lane has had no writes for longer than the dispatcher takes to see its end offsets.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      double moved = 0;
      int inLane = 0;
      while (moved == 0 || inLane == 0 || System.currentTimeMillis() < burstAt + 8_000) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "nothing moved to the overflow lane within 60 s: moved "
                  + moved
                  + ", in lane "
                  + inLane);
        }
        Thread.sleep(500);
        moved = dispatcher.metric("webhook_overflow_moved_total");
        inLane = rig.readAll(rig.topics().overflow().name()).size();
      }
      long slowInLane =
          rig.values(rig.topics().overflow()).stream()
              .filter(d -> d.endpointId().value().equals("ep_slow"))
              .count();
      double backlog = dispatcher.metric("webhook_overflow_backlog");
      long killedAt = System.currentTimeMillis();
      dispatcher.kill();
      int slowAnsweredBeforeKill =
          (int)
              log.answers().stream()
                  .filter(a -> a.pair().endpointId().equals("ep_slow") && a.atMillis() < killedAt)
                  .count();
      List<Pair> pending = pendingAt(rig);

      Set<String> fastReached = new HashSet<>();
      log.answers().stream()
          .filter(a -> a.pair().endpointId().equals("ep_fast") && a.atMillis() < killedAt)
          .forEach(a -> fastReached.add(a.pair().eventId()));
      List<String> fastHeldBack =
          fastDuringBurst.stream().filter(e -> !fastReached.contains(e)).sorted().toList();

      slow.set(false);
      dispatcher.start();
      long healthy = dispatcher.awaitHealthy(Duration.ofSeconds(90)).toMillis();
      Map<String, String> events = new HashMap<>(burst.awaitAndGet());
      events.putAll(fast.awaitAndGet());

      Verdict v = Verdict.await(rig, events, log, DRAIN);
      List<Pair> repeatedOutsidePending = repeatedOutside(v, pending);
      v.print(
          "overflow lane (SIGKILL dispatcher with deliveries waiting in the lane)",
          burst,
          List.of(
              "overflow moved before the kill " + (long) moved,
              "records in the overflow lane at the kill "
                  + inLane
                  + " ("
                  + slowInLane
                  + " of ep_slow)",
              "overflow backlog gauge at the kill " + (long) backlog,
              "slow endpoint answered " + slowAnsweredBeforeKill + " before the kill",
              "uncommitted deliveries at the kill " + pending.size(),
              "fast events of the burst's first 2 s "
                  + fastDuringBurst.size()
                  + ", held back "
                  + fastHeldBack.size(),
              "dispatcher healthy " + healthy + " ms after restart"));
      v.assertNothingLostOrContradictory();
      // The backlog gauge counts the lane's deliveries not yet finished: every one in the lane but
      // those answered (the lane is written only during the burst's first 2 s).
      assertThat((long) backlog)
          .as("webhook_overflow_backlog at the kill, with %d records in the lane", inLane)
          .isBetween(slowInLane - slowAnsweredBeforeKill - 2L * perEndpoint, (long) inLane);
      assertThat(fastHeldBack)
          .as(
              "another account's events sent in the burst's first 2 s, not delivered 6 s or more"
                  + " later (its partitions were held by the slow endpoint)")
          .isEmpty();
      // Only what the group had not committed past at the kill is done again: the overflow
      // lane's unfinished records (the endpoint's slots and the lane's window) and the main lanes'
      // records still held or being moved.
      assertThat(repeatedOutsidePending)
          .as("deliveries repeated although their records were committed past before the kill")
          .isEmpty();
      assertThat(v.ledger.duplicateTerminals()).isLessThanOrEqualTo(pending.size());
    }
  }

  /**
   * Issue 21: a backlog for an endpoint that answers after 5 s and one that never answers (the HTTP
   * timeout is 30 s), then SIGTERM. The dispatcher exits within shutdown.timeout (10 s here),
   * cleanly, having left its group; restarted with both endpoints fast, it loses nothing and
   * repeats only what was in flight.
   */
  @Test
  void sigtermWithRequestsHangingStopsWithinTheBoundAndLosesNothing() throws Exception {
    int perEndpoint = 16;
    Duration bound = Duration.ofSeconds(10);
    try (FaultRig rig =
        rig(
            "bounded-stop",
            Map.of(
                ConfigKey.HTTP_TIMEOUT,
                "30s",
                ConfigKey.SHUTDOWN_TIMEOUT,
                bound.toSeconds() + "s",
                ConfigKey.HTTP_MAX_IN_FLIGHT_PER_ENDPOINT,
                String.valueOf(perEndpoint),
                ConfigKey.DISPATCHER_MAX_IN_FLIGHT_PER_PARTITION,
                "64"))) {
      AtomicBoolean fastAgain = new AtomicBoolean();
      ReceiverLog log =
          rig.answer(
              (pair, attempt) -> {
                if (fastAgain.get()) {
                  return Behaviour.OK_200;
                }
                return pair.endpointId().equals("ep_late") ? Behaviour.LATE_200 : Behaviour.STALL;
              },
              b -> ReceiverLog.respond(b, Duration.ofSeconds(5)));
      ChildProcess dispatcher = rig.process("dispatcher", "dispatcher");
      ChildProcess scheduler = rig.process("scheduler", "retry-scheduler");
      FaultRig.startHealthy(List.of(dispatcher, scheduler));
      rig.createEndpoint("ep_late", List.of("stop.late"));
      rig.createEndpoint("ep_mute", List.of("stop.mute"));
      rig.awaitEndpoints(EndpointStatus.ACTIVE, Duration.ofSeconds(60));

      Load load = Load.start(rig, List.of("stop.late", "stop.mute"), 400, 500);
      load.await();
      // Both endpoints hold all their slots before the stop.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (requests(log, "ep_late") < perEndpoint || requests(log, "ep_mute") < perEndpoint) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "endpoints not busy within 30 s: ep_late "
                  + requests(log, "ep_late")
                  + ", ep_mute "
                  + requests(log, "ep_mute"));
        }
        Thread.sleep(100);
      }
      Thread.sleep(1_000); // the scenario: SIGTERM 1 s into the requests, the 5 s ones unanswered
      int requestsBeforeStop = log.answers().size();

      long t = System.nanoTime();
      dispatcher.stop();
      long exitMillis = (System.nanoTime() - t) / 1_000_000;
      int exit = dispatcher.exitValue();
      String stopLog = dispatcher.logOfLastStart();
      List<Pair> pending = pendingAt(rig);
      long restartAt = System.currentTimeMillis();
      // No request of the first run can have timed out (30 s): any attempt it recorded for the
      // silent endpoint was made up from a request the stop cut off.
      List<AttemptRecord> madeUp =
          rig.values(rig.topics().attempts()).stream()
              .filter(a -> a.endpointId().value().equals("ep_mute"))
              .filter(a -> a.outcome() != AttemptOutcome.DEFERRED_ENDPOINT_BUSY)
              .toList();

      fastAgain.set(true);
      dispatcher.start();
      long healthy = dispatcher.awaitHealthy(Duration.ofSeconds(90)).toMillis();
      Verdict v = Verdict.await(rig, load.acked(), log, DRAIN);
      Matcher stopped = STOPPED.matcher(stopLog);
      boolean said = stopped.find();
      List<Pair> repeatedOutsidePending = repeatedOutside(v, pending);
      v.print(
          "bounded stop (SIGTERM with requests to a 5 s and a silent endpoint in flight)",
          load,
          List.of(
              "exit "
                  + exit
                  + " "
                  + exitMillis
                  + " ms after SIGTERM (bound "
                  + bound.toSeconds()
                  + " s)",
              said ? stopped.group() : "no stop line",
              "requests before the stop " + requestsBeforeStop,
              "uncommitted deliveries at the stop " + pending.size(),
              "dispatcher healthy " + healthy + " ms after restart",
              "restarted at " + (restartAt - load.startMillis) + " ms"));
      assertThat(exitMillis)
          .as("ms from SIGTERM to exit, with shutdown.timeout %s", bound)
          .isLessThanOrEqualTo(bound.plusSeconds(5).toMillis());
      assertThat(exit).as("exit status after SIGTERM (1: the watchdog halted it)").isIn(0, 143);
      assertThat(said).as("the stop's summary line in %s", dispatcher).isTrue();
      assertThat(stopLog).doesNotContain("coordinator is not aware of this member");
      assertThat(madeUp)
          .as("attempts recorded for the silent endpoint before any could time out")
          .isEmpty();
      v.assertNothingLostOrContradictory();
      assertThat(repeatedOutsidePending)
          .as("deliveries repeated although their records were committed past at the stop")
          .isEmpty();
      // At most every request in flight at the stop ended (the 5 s ones, while stopping) without
      // its record being committed past: the endpoints' slots, 2 x 16.
      assertThat(v.ledger.duplicateTerminals()).isLessThanOrEqualTo(2 * perEndpoint);
    }
  }

  /** A rig on this suite's broker, with 3 partitions a topic. */
  private static FaultRig rig(String name, Map<ConfigKey, String> overrides) throws Exception {
    return new FaultRig(name, broker.bootstrapServers(), 3, overrides);
  }

  /** Deliveries that ended more than once although none of their records was left pending. */
  private static List<Pair> repeatedOutside(Verdict v, List<Pair> pending) {
    Set<Pair> pendingSet = new HashSet<>(pending);
    return v.ledger.terminals.entrySet().stream()
        .filter(e -> e.getValue().size() > 1 && !pendingSet.contains(e.getKey()))
        .map(Map.Entry::getKey)
        .toList();
  }

  private static long requests(ReceiverLog log, String endpoint) {
    return log.answers().stream().filter(a -> a.pair().endpointId().equals(endpoint)).count();
  }

  /**
   * The (event, endpoint) deliveries of every record the dispatchers' group has not committed past,
   * one per record and endpoint: what the next owner of the partitions does (again).
   */
  private static List<Pair> pendingAt(FaultRig rig) {
    Map<TopicPartition, Long> offsets = rig.committedOffsets(rig.dispatcherGroup());
    List<Pair> out = new ArrayList<>();
    EventParser parser = new EventParser(EventParser.DEFAULT_MAX_BYTES);
    for (var r : rig.uncommitted(rig.topics().events().name(), offsets)) {
      if (parser.parse(r.value()) instanceof ParsedEvent.Valid ok) {
        out.addAll(
            Ledger.expected(
                Map.of(ok.event().eventId().value(), ok.event().eventType()), rig.subscriptions()));
      }
    }
    for (Topic<String, Delivery> t :
        List.of(rig.topics().deliveriesDue(), rig.topics().overflow())) {
      for (var r : rig.uncommitted(t.name(), offsets)) {
        Delivery d = t.valueSerde().deserializer().deserialize(t.name(), r.value());
        out.add(new Pair(d.event().eventId().value(), d.endpointId().value()));
      }
    }
    return out;
  }
}
