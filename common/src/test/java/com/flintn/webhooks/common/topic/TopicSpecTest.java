package com.flintn.webhooks.common.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The topic configs that {@code topics create} derives, and how it judges existing topics. */
class TopicSpecTest {
  @Test
  void replicatedTopicsNeedTwoInSyncReplicasFromThreeReplicasOn() {
    assertThat(TopicSpec.minInsyncReplicas(1)).isEqualTo(1);
    assertThat(TopicSpec.minInsyncReplicas(2)).isEqualTo(1);
    assertThat(TopicSpec.minInsyncReplicas(3)).isEqualTo(2);
    assertThat(TopicSpec.minInsyncReplicas(5)).isEqualTo(2);
  }

  @Test
  void everyTopicIsCreatedWithTheMinInsyncReplicasOfItsReplicationFactor() {
    for (TopicSpec spec :
        new TopicSpec[] {
          TopicSpec.delete(Duration.ofDays(7)),
          TopicSpec.compact(),
          TopicSpec.delete(Duration.ofDays(7)).maxMessageBytes(1 << 20)
        }) {
      assertThat(spec.configs(3)).containsEntry("min.insync.replicas", "2");
      assertThat(spec.configs(1)).containsEntry("min.insync.replicas", "1");
    }
    assertThat(TopicSpec.delete(Duration.ofDays(7)).configs(3))
        .containsEntry("cleanup.policy", "delete")
        .containsEntry("retention.ms", String.valueOf(Duration.ofDays(7).toMillis()));
  }

  @Test
  void existingTopicsAreJudgedByTheirOwnReplicationFactor() {
    assertThat(TopicCreator.minInsyncReplicasProblem(3, 1))
        .hasValueSatisfying(
            p ->
                assertThat(p)
                    .contains("min.insync.replicas is 1 with replication factor 3", "2 is wanted"));
    assertThat(TopicCreator.minInsyncReplicasProblem(3, 2)).isEmpty();
    assertThat(TopicCreator.minInsyncReplicasProblem(3, 3)).as("an operator's choice").isEmpty();
    assertThat(TopicCreator.minInsyncReplicasProblem(1, 1)).isEmpty();
    assertThat(TopicCreator.minInsyncReplicasProblem(2, 1)).isEmpty();
    assertThat(TopicCreator.minInsyncReplicasProblem(1, 2))
        .hasValueSatisfying(p -> assertThat(p).contains("no write can be acknowledged"));
  }

  @Test
  void theReplayLogIsCompactedAndOutlivesTheDeadLettersItIsAbout() {
    TopicCatalog topics = new TopicCatalog("webhooks", List.of(Duration.ofSeconds(30)));
    assertThat(topics.dlqReplays().spec().configs(3))
        .containsEntry("cleanup.policy", "compact,delete")
        .containsEntry("retention.ms", String.valueOf(Duration.ofDays(35).toMillis()));
    assertThat(topics.dlqReplays().spec().retention().orElseThrow())
        .isGreaterThan(topics.dlq().spec().retention().orElseThrow());
    assertThat(TopicSpec.compact().configs(3))
        .containsEntry("cleanup.policy", "compact")
        .doesNotContainKey("retention.ms");
  }
}
