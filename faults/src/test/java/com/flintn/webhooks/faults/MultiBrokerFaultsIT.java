package com.flintn.webhooks.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.faults.Ledger.Pair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Beyond one broker: three Kafka nodes as separate OS processes, every topic with three replicas
 * and {@code min.insync.replicas} 2. Under a steady load of 250 events a second, which runs from 15
 * s before the first kill until {@link #TAIL} after the second node is back, the node that leads
 * the events partitions is SIGKILLed, and later the one that leads the first retry tier's
 * partitions; each comes back 15 s after its kill. No product process is restarted. Then: no
 * delivery lost, each in one kind of terminal state, repeats within the in-flight window, and
 * delivery resumed on the partitions the killed node led within a stated time.
 *
 * <p>Prints a {@code FAULTS ...} line that RELIABILITY.md quotes.
 */
@Tag("process")
@Tag("broker")
class MultiBrokerFaultsIT {
  private static final List<String> TYPES =
      List.of("fault.alpha", "fault.beta", "fault.gamma", "fault.delta");
  private static final int PARTITIONS = 3;
  private static final int IN_FLIGHT = 64;
  private static final int RATE = 250;

  /** Load after the second killed node is back in the cluster, with every node up. */
  private static final Duration TAIL = Duration.ofSeconds(5);

  private static final Duration DRAIN = Duration.ofSeconds(120);

  /** How soon delivery must resume on the partitions a killed node led. */
  private static final Duration RESUME_BOUND = Duration.ofSeconds(60);

  @Test
  void sigkillOfPartitionLeadersUnderLoadLosesNothing() throws Exception {
    try (BrokerCluster cluster = new BrokerCluster("multi-" + ProcessHandle.current().pid(), 3)) {
      long bootAt = System.currentTimeMillis();
      cluster.startAll(Duration.ofSeconds(120));
      List<String> notes = new ArrayList<>();
      notes.add("3 nodes up in " + (System.currentTimeMillis() - bootAt) + " ms");
      try (FaultRig rig =
          new FaultRig(
              "multi",
              cluster.bootstrapServers(),
              PARTITIONS,
              Map.of(
                  ConfigKey.TOPICS_REPLICATION_FACTOR,
                  "3",
                  ConfigKey.DISPATCHER_MAX_IN_FLIGHT_PER_PARTITION,
                  String.valueOf(IN_FLIGHT)))) {
        assertReplicated(cluster, rig);
        ReceiverLog log = rig.answer(ProcessFaultsIT::deterministic, ProcessFaultsIT::respond);
        ChildProcess dispatcher = rig.process("dispatcher", "dispatcher");
        ChildProcess scheduler = rig.process("scheduler", "retry-scheduler");
        List<ChildProcess> all = List.of(dispatcher, scheduler);
        // One endpoint per event type: each event is one delivery. The commands are sent first;
        // the endpoint-state app applies them while the processes start.
        for (int i = 0; i < TYPES.size(); i++) {
          String id = "ep_" + (char) ('a' + i);
          rig.createEndpoint(id, List.of(TYPES.get(i)));
        }
        FaultRig.startHealthy(all);
        rig.awaitEndpoints(EndpointStatus.ACTIVE, Duration.ofSeconds(60));

        String events = rig.topics().events().name();
        Topic<String, Delivery> tier = rig.topics().retryTier(0);
        // Until the second outage is over: both faults meet the load, and retries flowing.
        Load load = Load.start(rig, TYPES, RATE, Long.MAX_VALUE);

        Thread.sleep(15_000); // the fault schedule, not a wait: 15 s of load before the kill
        int first = cluster.leaderOfMost(events);
        Set<Integer> firstParts = ledBy(cluster.leaders(events), first);
        long firstKill = System.currentTimeMillis();
        cluster.kill(first);
        notes.add(
            "node "
                + first
                + " (leader of "
                + events
                + " partitions "
                + firstParts
                + ") killed at second "
                + (firstKill - load.startMillis) / 1000);
        Thread.sleep(15_000); // the fault schedule: the node stays down 15 s
        long restartedAt = System.currentTimeMillis();
        cluster.start(first);
        cluster.awaitNodes(3, Duration.ofSeconds(60));
        long rejoinedAt = System.currentTimeMillis();
        cluster.awaitFullIsr(Duration.ofSeconds(90));
        notes.add(
            "node "
                + first
                + " restarted 15 s after its kill, in the cluster "
                + (rejoinedAt - restartedAt) / 1000
                + " s and all replicas in sync "
                + (System.currentTimeMillis() - restartedAt) / 1000
                + " s after its restart");
        int second = cluster.leaderOfMost(tier.name());
        Set<Integer> secondParts = ledBy(cluster.leaders(tier.name()), second);
        long secondKill = System.currentTimeMillis();
        cluster.kill(second);
        notes.add(
            "node "
                + second
                + " (leader of "
                + tier.name()
                + " partitions "
                + secondParts
                + ") killed at second "
                + (secondKill - load.startMillis) / 1000);
        Thread.sleep(15_000); // the fault schedule: the node stays down 15 s
        cluster.start(second);
        cluster.awaitNodes(3, Duration.ofSeconds(60));
        Thread.sleep(TAIL.toMillis()); // the fault schedule: load on all three nodes again
        load.close();
        Verdict v = Verdict.await(rig, load.acked(), log, DRAIN);

        long firstResume = resumeOnEvents(load, log, firstParts, firstKill);
        long firstPause = longestPause(load, log, firstParts, firstKill);
        long secondResume = resumeThroughTier(rig, tier, log, secondParts, secondKill);
        notes.add(
            "deliveries of events written after the first kill to the partitions node "
                + first
                + " led resumed "
                + firstResume
                + " ms after the kill (first attempts on them paused for at most "
                + firstPause
                + " ms)");
        notes.add(
            "retries through the tier partitions node "
                + second
                + " led resumed "
                + secondResume
                + " ms after the kill");
        for (ChildProcess c : all) {
          notes.add(c.name() + (c.alive() ? " never restarted" : " DIED"));
        }
        v.print(
            "multi-broker (SIGKILL events leader, then tier leader; 3 nodes, rf 3)", load, notes);

        assertThat(load.failed()).as("events upstream could not write").isZero();
        assertThat(load.acked()).as("events written").hasSize(load.attempted());
        v.assertNothingLostOrContradictory();
        for (ChildProcess c : all) {
          assertThat(c.alive()).as(c + " survived both kills by itself").isTrue();
        }
        // Repeats come only from work in flight when a leader moved: per kill, the events
        // partitions' and the due partitions' in-flight windows, one delivery each.
        assertThat(v.ledger.duplicateTerminals())
            .isLessThanOrEqualTo(2 * (PARTITIONS * IN_FLIGHT + PARTITIONS * IN_FLIGHT));
        assertThat(firstResume).isLessThan(RESUME_BOUND.toMillis());
        assertThat(secondResume).isLessThan(RESUME_BOUND.toMillis());
      }
    }
  }

  /** Every topic of the rig has three replicas and {@code min.insync.replicas} 2. */
  private static void assertReplicated(BrokerCluster cluster, FaultRig rig) throws Exception {
    List<String> names = rig.topics().all().stream().map(Topic::name).toList();
    Map<String, TopicDescription> described = cluster.describe(names);
    for (TopicDescription d : described.values()) {
      d.partitions()
          .forEach(p -> assertThat(p.replicas()).as(d.name() + "-" + p.partition()).hasSize(3));
    }
    Map<ConfigResource, Config> configs =
        cluster
            .admin()
            .describeConfigs(
                names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList())
            .all()
            .get(15, TimeUnit.SECONDS);
    Map<String, String> minIsr = new HashMap<>();
    configs.forEach((r, c) -> minIsr.put(r.name(), c.get("min.insync.replicas").value()));
    assertThat(minIsr.values().stream().collect(Collectors.toSet()))
        .as("min.insync.replicas of %s", minIsr)
        .containsExactly("2");
  }

  private static Set<Integer> ledBy(Map<Integer, Integer> leaders, int node) {
    Set<Integer> out = new HashSet<>();
    leaders.forEach(
        (partition, leader) -> {
          if (leader == node) {
            out.add(partition);
          }
        });
    return out;
  }

  /**
   * Time from the kill to the first request for an event that was sent after the kill to one of the
   * partitions the killed node led: its write waited for a new leader, its delivery for the
   * dispatcher to fetch from that leader.
   */
  private static long resumeOnEvents(
      Load load, ReceiverLog log, Set<Integer> partitions, long killedAt) {
    Map<String, Long> sent = load.sentAt();
    Map<String, Integer> part = load.partitions();
    return log.answers().stream()
        .filter(a -> sent.getOrDefault(a.pair().eventId(), 0L) > killedAt)
        .filter(a -> partitions.contains(part.get(a.pair().eventId())))
        .mapToLong(a -> a.atMillis() - killedAt)
        .min()
        .orElseThrow(() -> new AssertionError("no delivery on the killed leader's partitions"));
  }

  /**
   * The longest time without a first attempt for an event of {@code partitions}, from 5 s before
   * the kill to 60 s after it: how long delivery on the killed leader's partitions stood still.
   */
  private static long longestPause(
      Load load, ReceiverLog log, Set<Integer> partitions, long killedAt) {
    Map<String, Integer> part = load.partitions();
    long[] times =
        log.answers().stream()
            .filter(a -> a.attempt() == 1)
            .filter(a -> partitions.contains(part.get(a.pair().eventId())))
            .mapToLong(ReceiverLog.Answer::atMillis)
            .filter(t -> t >= killedAt - 5_000 && t <= killedAt + 60_000)
            .sorted()
            .toArray();
    long longest = 0;
    for (int i = 1; i < times.length; i++) {
      longest = Math.max(longest, times[i] - times[i - 1]);
    }
    return longest;
  }

  /**
   * Time from the kill to the first retry of a delivery whose first attempt failed after the kill
   * and whose retry record went to one of the tier partitions the killed node led.
   */
  private static long resumeThroughTier(
      FaultRig rig,
      Topic<String, Delivery> tier,
      ReceiverLog log,
      Set<Integer> partitions,
      long killedAt) {
    Set<Pair> viaKilled = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : rig.readAll(tier.name())) {
      if (partitions.contains(r.partition())) {
        Delivery d = tier.valueSerde().deserializer().deserialize(tier.name(), r.value());
        viaKilled.add(new Pair(d.event().eventId().value(), d.endpointId().value()));
      }
    }
    Map<Pair, Long> firstFailure = new HashMap<>();
    Map<Pair, Long> firstRetry = new HashMap<>();
    for (ReceiverLog.Answer a : log.answers()) {
      if (!viaKilled.contains(a.pair())) {
        continue;
      }
      if (a.attempt() == 1) {
        firstFailure.merge(a.pair(), a.atMillis(), Math::min);
      } else if (a.attempt() == 2) {
        firstRetry.merge(a.pair(), a.atMillis(), Math::min);
      }
    }
    return firstFailure.entrySet().stream()
        .filter(e -> e.getValue() > killedAt && firstRetry.containsKey(e.getKey()))
        .mapToLong(e -> firstRetry.get(e.getKey()) - killedAt)
        .min()
        .orElseThrow(() -> new AssertionError("no retry through the killed leader's partitions"));
  }
}
