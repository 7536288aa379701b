package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.topic.TopicCreator;
import com.flintn.webhooks.testkit.SharedKafka;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code topics create} against the embedded broker. It has one broker, so every topic has one
 * replica and wants {@code min.insync.replicas} 1; a topic set to 2 (which no write can meet on one
 * replica) stands in for a wrong setting.
 */
@Tag("broker")
class TopicsCommandTest {
  @Test
  void topicsCarryTheirMinInsyncReplicasAndAWrongOneIsReportedThenFixedOnRequest()
      throws Exception {
    try (TestEnvironment env = TestEnvironment.create("topics", 1, Optional.empty(), Map.of());
        Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      String events = env.topics().events().name();
      List<TopicCreator.Result> again = TopicsCommand.create(admin, env.config(), false);
      assertThat(again)
          .isNotEmpty()
          .allSatisfy(
              r -> {
                assertThat(r.created()).isFalse();
                assertThat(r.replicationFactor()).isEqualTo(1);
                assertThat(r.minInsyncReplicas()).isEqualTo(1);
                assertThat(r.problem()).isEmpty();
              });
      ConfigEntry set = minInsyncReplicas(admin, events);
      assertThat(set.value()).isEqualTo("1");
      assertThat(set.source())
          .as("set on the topic, not the broker's default")
          .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

      setMinInsyncReplicas(admin, events, "2");
      List<TopicCreator.Result> reported = TopicsCommand.create(admin, env.config(), false);
      assertThat(reported).filteredOn(TopicCreator.Result::needsFix).hasSize(1);
      assertThat(reported)
          .filteredOn(r -> r.topic().equals(events))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.problem()).hasValueSatisfying(p -> assertThat(p).contains("is 2"));
                assertThat(r.fixed()).isFalse();
              });
      assertThat(print(reported))
          .contains("WARNING " + events + ": min.insync.replicas is 2 with replication factor 1")
          .contains("--fix-min-insync-replicas");
      assertThat(minInsyncReplicas(admin, events).value()).as("left as it was").isEqualTo("2");

      List<TopicCreator.Result> fixed = TopicsCommand.create(admin, env.config(), true);
      assertThat(fixed)
          .filteredOn(r -> r.topic().equals(events))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.fixed()).isTrue();
                assertThat(r.minInsyncReplicas()).isEqualTo(1);
              });
      assertThat(print(fixed)).contains(events + ": ").contains("set to 1").doesNotContain("WARN");
      assertThat(minInsyncReplicas(admin, events).value()).isEqualTo("1");
      assertThat(TopicsCommand.create(admin, env.config(), false))
          .noneMatch(r -> r.problem().isPresent());
    }
  }

  private static ConfigEntry minInsyncReplicas(Admin admin, String topic) throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(r)).all().get().get(r).get("min.insync.replicas");
  }

  private static void setMinInsyncReplicas(Admin admin, String topic, String value)
      throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    admin
        .incrementalAlterConfigs(
            Map.of(
                r,
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry("min.insync.replicas", value), AlterConfigOp.OpType.SET))))
        .all()
        .get();
  }

  private static String print(List<TopicCreator.Result> results) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TopicsCommand.print(results, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
