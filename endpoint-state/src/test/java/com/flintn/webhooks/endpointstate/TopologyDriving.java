package com.flintn.webhooks.endpointstate;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.testkit.TopicCatalogs;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test of the endpoint-state topology in a {@link TopologyTestDriver}, fresh for each test, about
 * endpoint {@link #EP} of account {@link #ACC}: each change and attempt it pipes in is stamped a
 * second after the one before, from {@link #T0}.
 */
abstract class TopologyDriving {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  static final EndpointId EP = EndpointId.of("ep_1");
  static final AccountId ACC = AccountId.of("acc_1");

  final TopicCatalog topics = TopicCatalogs.withDefaultTiers("t");
  TopologyTestDriver driver;
  TestInputTopic<String, EndpointChange> changes;
  TestInputTopic<String, AttemptRecord> attempts;
  Instant now = T0;

  @BeforeEach
  void startDriver() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(EndpointStateApp.topology(topics, Duration.ofHours(24)), p);
    changes = input(topics.endpointChanges());
    attempts = input(topics.attempts());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
    return driver.createInputTopic(
        topic.name(), Serdes.String().serializer(), topic.valueSerde().serializer());
  }

  <V> TestOutputTopic<String, V> output(Topic<String, V> topic) {
    return driver.createOutputTopic(
        topic.name(), Serdes.String().deserializer(), topic.valueSerde().deserializer());
  }

  void change(EndpointChange c) {
    now = now.plusSeconds(1);
    changes.pipeInput(new TestRecord<>(c.endpointId().value(), c, now));
  }

  /** Creates the endpoint: "Orders", for order.created, sending to https://example.com/hook. */
  void create() {
    change(Changes.createOrders(EP, ACC, "https://example.com/hook", now));
  }

  void attempt(AttemptRecord a, Headers headers) {
    now = now.plusSeconds(1);
    attempts.pipeInput(new TestRecord<>(EP.value(), a, headers, now));
  }
}
