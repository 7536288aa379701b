package com.flintn.webhooks.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.testkit.SharedKafka;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.assertj.core.api.InstanceOfAssertFactories;

/** Checks on an events partition the dispatcher stopped because a write failed for good. */
final class StoppedPartition {
  private StoppedPartition() {}

  /**
   * Waits until {@code dispatcher} reports {@code events} stopped at its first record for {@code
   * cause}, then checks that nothing is committed past that record for as long as it stays stopped.
   */
  static void awaitStoppedUncommitted(DispatcherApp dispatcher, TopicPartition events, String cause)
      throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(() -> !dispatcher.stoppedPartitions().isEmpty());
    assertThat(dispatcher.stoppedPartitions())
        .singleElement(InstanceOfAssertFactories.STRING)
        .contains(events + " stopped at offset 0")
        .contains(cause);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> committed(dispatcher.groupId(), events) <= 0);
  }

  /** The offset {@code group} committed on {@code tp}, or -1 if none. */
  static long committed(String group, TopicPartition tp) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      OffsetAndMetadata o =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(tp);
      return o == null ? -1 : o.offset();
    }
  }
}
