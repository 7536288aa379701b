package com.flintn.webhooks.dispatcher.consume;

import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * What the poll loop hands each record to: {@link RecordHandler} in the product, a controllable
 * stand-in in the poll loop's own tests.
 */
interface RecordWork {
  /**
   * On the poll thread, before the records of one poll are handled; {@code ends} tells each
   * partition's log end as the consumer's last fetch saw it.
   */
  void beforeBatch(ConsumerRecords<byte[], byte[]> records, LogEnds ends);

  /** A partition's log end as the consumer's last fetch saw it. */
  @FunctionalInterface
  interface LogEnds {
    /** Empty when the consumer does not know it. */
    OptionalLong of(TopicPartition tp);
  }

  /**
   * Starts the work of one record without waiting for it. The future completes when everything the
   * record caused is acknowledged by Kafka; exceptionally when it failed in a way retrying cannot
   * fix, or was abandoned by a stop.
   */
  CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> r);

  /**
   * On the poll thread, after every record of one poll was handed to {@link #handle}: what their
   * work writes together (one record for many) is written now; their futures wait for it.
   */
  default void afterBatch() {}

  /** On the poll thread, when partitions are assigned, before any of their records is handled. */
  default void assigned(Collection<TopicPartition> partitions) {}

  /** On the poll thread, when partitions were revoked or lost. */
  default void revoked(Collection<TopicPartition> partitions) {}

  /** Why no record may be handled now, if none may; empty when records may be handled. */
  Optional<String> hold();
}
