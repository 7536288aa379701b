package com.flintn.webhooks.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import org.junit.jupiter.api.Test;

class KafkaClusterNodeTest {

  @Test
  void nodeOfThreeVotesInAStaticQuorumAndReplicatesInternalTopicsThreeTimes() {
    Properties p =
        KafkaClusterNode.properties(
            Path.of("/data/node-2"), 2, List.of(9092, 9093, 9094), List.of(9192, 9193, 9194));

    assertThat(p.getProperty("node.id")).isEqualTo("2");
    assertThat(p.getProperty("controller.quorum.voters"))
        .isEqualTo("1@localhost:9192,2@localhost:9193,3@localhost:9194");
    assertThat(p.getProperty("listeners"))
        .isEqualTo("PLAINTEXT://localhost:9093,CONTROLLER://localhost:9193");
    assertThat(p.getProperty("offsets.topic.replication.factor")).isEqualTo("3");
    assertThat(p.getProperty("transaction.state.log.replication.factor")).isEqualTo("3");
    assertThat(p.getProperty("transaction.state.log.min.isr")).isEqualTo("2");
    assertThat(p.getProperty("min.insync.replicas")).isEqualTo("2");
    // Kafka accepts it as a node's configuration.
    assertThat(new KafkaConfig(p, false).nodeId()).isEqualTo(2);
  }

  @Test
  void singleNodeClusterKeepsOneReplica() {
    Properties p =
        KafkaClusterNode.properties(Path.of("/data/one"), 1, List.of(9092), List.of(9192));

    assertThat(p.getProperty("offsets.topic.replication.factor")).isEqualTo("1");
    assertThat(p.getProperty("min.insync.replicas")).isEqualTo("1");
  }
}
