package com.flintn.webhooks.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * A Kafka cluster of {@code n} nodes on this machine, each its own OS process ({@code
 * KafkaClusterNode} from the built distribution), on fixed ports and data directories, so a node
 * can be SIGKILLed and started again as what it was. Node ids count from 1.
 */
final class BrokerCluster implements AutoCloseable {
  private final String name;
  private final List<Integer> brokerPorts = new ArrayList<>();
  private final List<Integer> controllerPorts = new ArrayList<>();
  private final Process[] processes;
  private final Admin admin;

  BrokerCluster(String name, int nodes) {
    this.name = name;
    for (int i = 0; i < nodes; i++) {
      brokerPorts.add(FaultRig.freePort());
      controllerPorts.add(FaultRig.freePort());
    }
    this.processes = new Process[nodes];
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000"));
  }

  String bootstrapServers() {
    return brokerPorts.stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
  }

  Admin admin() {
    return admin;
  }

  /** Starts every node and waits until all of them are in the cluster. */
  void startAll(Duration timeout) throws InterruptedException {
    for (int id = 1; id <= processes.length; id++) {
      start(id);
    }
    awaitNodes(processes.length, timeout);
  }

  synchronized void start(int nodeId) {
    Path log = FaultRig.TARGET.resolve("process-logs").resolve(name + "-kafka-" + nodeId + ".log");
    List<String> command =
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            FaultRig.ROOT.resolve("launcher/target/flintn-webhooks.jar").toString(),
            "com.flintn.webhooks.kafka.KafkaClusterNode",
            String.valueOf(nodeId),
            FaultRig.TARGET.resolve(name + "-kafka-" + nodeId).toString(),
            ports(brokerPorts),
            ports(controllerPorts));
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(
          log,
          "---- start: " + String.join(" ", command) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      processes[nodeId - 1] =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start kafka node " + nodeId, e);
    }
  }

  /** SIGKILL: the node writes nothing more, not even its last flush. */
  synchronized void kill(int nodeId) throws InterruptedException {
    Process p = processes[nodeId - 1];
    p.destroyForcibly();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("kafka node " + nodeId + " still running 30 s after SIGKILL");
    }
  }

  /** Waits until {@code count} nodes answer as members of the cluster. */
  void awaitNodes(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < processes.length; i++) {
        if (processes[i] != null && !processes[i].isAlive()) {
          throw new AssertionError(
              "kafka node " + (i + 1) + " exited with " + processes[i].exitValue());
        }
      }
      try {
        Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        if (nodes.size() >= count) {
          return;
        }
        last = nodes.toString();
      } catch (Exception e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError(count + " kafka nodes not up within " + timeout + ": " + last);
  }

  /** Partition number to the id of its leader (-1: none), for {@code topic}. */
  Map<Integer, Integer> leaders(String topic) {
    Map<Integer, Integer> out = new TreeMap<>();
    for (TopicPartitionInfo p : describe(Set.of(topic)).get(topic).partitions()) {
      out.put(p.partition(), p.leader() == null ? -1 : p.leader().id());
    }
    return out;
  }

  /** The node that leads most partitions of {@code topic}. */
  int leaderOfMost(String topic) {
    Map<Integer, Long> count =
        leaders(topic).values().stream()
            .filter(id -> id > 0)
            .collect(Collectors.groupingBy(id -> id, TreeMap::new, Collectors.counting()));
    return count.entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .orElseThrow(() -> new AssertionError(topic + " has no leader"))
        .getKey();
  }

  /**
   * Waits until every partition of every topic in the cluster has a leader and all its replicas in
   * sync: a node that was down has caught up.
   */
  void awaitFullIsr(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        List<String> behind = new ArrayList<>();
        describe(topics)
            .forEach(
                (t, d) -> {
                  for (TopicPartitionInfo p : d.partitions()) {
                    if (p.leader() == null || p.isr().size() < p.replicas().size()) {
                      behind.add(t + "-" + p.partition() + " isr " + p.isr().size());
                    }
                  }
                });
        if (behind.isEmpty()) {
          return;
        }
        last = behind.size() + " partitions behind, e.g. " + behind.get(0);
      } catch (Exception e) {
        last = e.toString();
      }
      Thread.sleep(500);
    }
    throw new AssertionError("replicas not all in sync within " + timeout + ": " + last);
  }

  Map<String, TopicDescription> describe(Collection<String> topics) {
    try {
      return admin.describeTopics(topics).allTopicNames().get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe " + topics, e);
    }
  }

  private static String ports(List<Integer> ports) {
    return ports.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  @Override
  public synchronized void close() {
    admin.close(Duration.ofSeconds(2));
    for (Process p : processes) {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
        try {
          p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // every broker is already told to stop
        }
      }
    }
  }
}
