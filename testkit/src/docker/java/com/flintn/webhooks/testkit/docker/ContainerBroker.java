package com.flintn.webhooks.testkit.docker;

import com.flintn.webhooks.testkit.TestBroker;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * An {@code apache/kafka} container (KRaft, single node) from Testcontainers, for machines and CI
 * systems with Docker. Compiled only in the {@code docker} Maven profile. Without a Docker engine
 * it says so in one line and the tests that need a broker are skipped, not failed.
 */
public final class ContainerBroker implements TestBroker {
  static final String IMAGE = "apache/kafka:4.1.0";

  private static boolean told;
  private final KafkaContainer kafka;

  private ContainerBroker(KafkaContainer kafka) {
    this.kafka = kafka;
  }

  public static ContainerBroker start() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      if (!told) {
        System.err.println(
            "Docker is not available: -Pdocker skips the end-to-end tests (they need a Docker engine)");
        told = true;
      }
      throw new TestAbortedException("no Docker engine for the Kafka container");
    }
    KafkaContainer k =
        new KafkaContainer(IMAGE)
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");
    k.start();
    return new ContainerBroker(k);
  }

  @Override
  public String bootstrapServers() {
    return kafka.getBootstrapServers();
  }

  @Override
  public void close() {
    kafka.stop();
  }
}
