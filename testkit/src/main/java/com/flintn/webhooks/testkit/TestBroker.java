package com.flintn.webhooks.testkit;

/**
 * The Kafka broker end-to-end tests run against: the embedded KRaft broker by default, or with the
 * {@code docker} Maven profile ({@code -Dflintn.test.broker=testcontainers}) an {@code
 * apache/kafka} container. Tests see only its bootstrap servers, so every test runs on either.
 */
public interface TestBroker extends AutoCloseable {
  String bootstrapServers();

  @Override
  void close();
}
