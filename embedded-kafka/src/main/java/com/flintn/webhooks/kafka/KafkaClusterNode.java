package com.flintn.webhooks.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * One node of a small local Kafka cluster, run as its own OS process so that it can be killed
 * (SIGKILL) and started again on its data directory. Every node is broker and controller at once
 * (KRaft combined mode) and the controllers form a static quorum, one voter per node, on fixed
 * ports. The data directory is formatted on first start and reused afterwards.
 *
 * <p>Internal topics (consumer offsets, transaction state) get one replica per node, up to three,
 * and {@code min.insync.replicas} 2 from three replicas on, like the product's own topics: one node
 * down still lets every write succeed, and no acknowledged write lives on one node only.
 *
 * <p>Usage: {@code KafkaClusterNode NODE_ID DATA_DIR BROKER_PORTS CONTROLLER_PORTS}, where the
 * ports are comma-separated lists with one entry per node, node ids counting from 1 in list order.
 * The process runs until it is stopped; SIGTERM shuts the node down cleanly.
 */
public final class KafkaClusterNode {
  private KafkaClusterNode() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println(
          "usage: KafkaClusterNode NODE_ID DATA_DIR BROKER_PORTS CONTROLLER_PORTS"
              + " (ports comma-separated, one per node)");
      System.exit(2);
    }
    int nodeId = Integer.parseInt(args[0]);
    Path dataDir = Path.of(args[1]).toAbsolutePath();
    List<Integer> brokerPorts = ports(args[2]);
    List<Integer> controllerPorts = ports(args[3]);
    if (brokerPorts.size() != controllerPorts.size() || nodeId < 1 || nodeId > brokerPorts.size()) {
      throw new IllegalArgumentException(
          "node id " + nodeId + " with " + brokerPorts + " and " + controllerPorts);
    }
    Files.createDirectories(dataDir);
    Properties props = properties(dataDir, nodeId, brokerPorts, controllerPorts);
    EmbeddedKafka.format(dataDir, props);
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      server.shutdown();
                      server.awaitShutdown();
                    }));
    server.startup();
    System.out.println("kafka node " + nodeId + " started on port " + brokerPorts.get(nodeId - 1));
    server.awaitShutdown();
  }

  static Properties properties(
      Path dataDir, int nodeId, List<Integer> brokerPorts, List<Integer> controllerPorts) {
    int nodes = brokerPorts.size();
    int brokerPort = brokerPorts.get(nodeId - 1);
    int controllerPort = controllerPorts.get(nodeId - 1);
    Properties p = EmbeddedKafka.brokerProperties(dataDir, brokerPort, controllerPort);
    List<String> voters = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      voters.add((i + 1) + "@localhost:" + controllerPorts.get(i));
    }
    String replicas = String.valueOf(Math.min(nodes, 3));
    String minIsr = nodes >= 3 ? "2" : "1";
    p.put("node.id", String.valueOf(nodeId));
    p.put("controller.quorum.voters", String.join(",", voters));
    p.put("default.replication.factor", replicas);
    p.put("min.insync.replicas", minIsr);
    p.put("offsets.topic.replication.factor", replicas);
    p.put("transaction.state.log.replication.factor", replicas);
    p.put("transaction.state.log.min.isr", minIsr);
    p.put("share.coordinator.state.topic.replication.factor", replicas);
    p.put("share.coordinator.state.topic.min.isr", minIsr);
    p.put("unclean.leader.election.enable", "false");
    return p;
  }

  private static List<Integer> ports(String list) {
    return Arrays.stream(list.split(",")).map(String::strip).map(Integer::valueOf).toList();
  }
}
